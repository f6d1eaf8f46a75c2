// sd_notify's transport against a real AF_UNIX SOCK_DGRAM socket (python3 binds it and prints what
// it receives): the datagrams' text and order, a path and an abstract NOTIFY_SOCKET, a receiver
// that is gone or stuck (dropped, logged once, never thrown), and the watchdog's pings.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SdNotifier,
  errnoName,
  monotonicUsec,
  notifierFromEnvironment,
  notifyMessage,
  openUnixDgramSender,
  parseNotifySocket,
  sendFailureText,
} from '../../src/adapters/sd-notify.js';
import { MAX_PING_INTERVAL_MS, startWatchdog, watchdogPlan } from '../../src/adapters/systemd-watchdog.js';
import { LOG_ERR, LOG_WARNING } from '../../src/machine/config/log-levels.js';
import { startNotifyReceiver, type NotifyReceiver, type NotifyReceiverOptions } from '../support/notify-receiver.js';

interface Logged {
  level: number;
  message: string;
}

function recorder(): { lines: Logged[]; log: (level: number, message: string) => void } {
  const lines: Logged[] = [];
  return { lines, log: (level, message) => void lines.push({ level, message }) };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(opts: NotifyReceiverOptions = {}): Promise<NotifyReceiver> {
  const r = await startNotifyReceiver(opts);
  cleanups.push(() => r.stop());
  return r;
}

async function notifierTo(address: string, log: (level: number, message: string) => void): Promise<SdNotifier> {
  const notifier = await notifierFromEnvironment({ NOTIFY_SOCKET: address }, log);
  expect(notifier, `no notifier for ${address}`).not.toBeNull();
  cleanups.push(() => notifier!.close());
  return notifier!;
}

describe('notifyMessage', () => {
  it('writes KEY=value lines in a fixed order, STATUS on one line', () => {
    expect(notifyMessage({ STATUS: 'ssh running (pid 1), up', READY: true })).toBe('READY=1\nSTATUS=ssh running (pid 1), up');
    expect(notifyMessage({ STOPPING: true, STATUS: 'two\nlines\r\n' })).toBe('STOPPING=1\nSTATUS=two lines ');
    expect(notifyMessage({ RELOADING: true, MONOTONIC_USEC: 123n })).toBe('RELOADING=1\nMONOTONIC_USEC=123');
    expect(notifyMessage({ WATCHDOG: true })).toBe('WATCHDOG=1');
  });

  it('reads MONOTONIC_USEC from CLOCK_MONOTONIC, in µs, as systemd does', () => {
    const before = monotonicUsec();
    const python = BigInt(execFileSync('python3', ['-c', 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)'], { encoding: 'utf8' }).trim());
    const after = monotonicUsec();
    expect(python).toBeGreaterThanOrEqual(before);
    expect(python).toBeLessThanOrEqual(after);
  });
});

describe('parseNotifySocket', () => {
  it('takes an absolute path, and @name as an abstract name with a leading NUL', () => {
    expect(parseNotifySocket('/run/systemd/notify')).toEqual({ kind: 'path', path: '/run/systemd/notify' });
    expect(parseNotifySocket('@/org/freedesktop/systemd1/notify')).toEqual({ kind: 'abstract', name: '\0/org/freedesktop/systemd1/notify' });
  });

  it('names what is wrong with anything else', () => {
    expect(parseNotifySocket('run/notify')).toEqual({ problem: 'NOTIFY_SOCKET="run/notify" is neither an absolute path nor an @abstract name' });
    expect(parseNotifySocket('@')).toHaveProperty('problem');
    expect(parseNotifySocket('vsock:2:1234')).toHaveProperty('problem');
    expect(parseNotifySocket(`/${'x'.repeat(107)}`)).toEqual({ problem: 'NOTIFY_SOCKET is 108 bytes long; a unix socket address holds at most 107' });
  });
});

describe('SdNotifier over unix-dgram', () => {
  it('delivers each message as one datagram, in order, to a path', async () => {
    const r = await receiver();
    const { lines, log } = recorder();
    const notifier = await notifierTo(r.address, log);
    const sent: string[] = [];
    expect(notifier.notify({ READY: true, STATUS: 'ssh running (pid 42), up' })).toBe(true);
    sent.push('READY=1\nSTATUS=ssh running (pid 42), up');
    for (let i = 0; i < 30; i++) {
      expect(notifier.notify({ STATUS: `step ${i}` })).toBe(true);
      sent.push(`STATUS=step ${i}`);
      // the kernel queues 10 datagrams per receiver (net.unix.max_dgram_qlen): let python read
      if (i % 5 === 4) await r.waitFor(`step ${i}`, (m) => m === `STATUS=step ${i}`);
    }
    expect(notifier.notify({ STOPPING: true })).toBe(true);
    sent.push('STOPPING=1');
    await r.waitFor('STOPPING=1', (m) => m === 'STOPPING=1');
    expect(r.messages).toEqual(sent);
    expect(lines).toEqual([]);
  });

  it('status() sends a STATUS only when it changed', async () => {
    const r = await receiver();
    const notifier = await notifierTo(r.address, recorder().log);
    expect(notifier.status('up')).toBe(true);
    expect(notifier.status('up')).toBe(false);
    expect(notifier.status('backing off 2 s (graceTime)')).toBe(true);
    expect(notifier.reloading('reloading')).toBe(true);
    await r.waitFor('RELOADING=1', (m) => m.startsWith('RELOADING=1'));
    expect(r.messages.slice(0, 2)).toEqual(['STATUS=up', 'STATUS=backing off 2 s (graceTime)']);
    expect(r.messages[2]).toMatch(/^RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=reloading$/);
  });

  it('an abstract NOTIFY_SOCKET is refused with a reason, logged, and never throws', async () => {
    // unix-dgram 2.0.7 cannot address an abstract name (strncpy stops at the leading NUL): this
    // pins that limit down, so a transport that lifts it shows up here
    const r = await receiver({ abstract: true });
    const { lines, log } = recorder();
    const notifier = await notifierFromEnvironment({ NOTIFY_SOCKET: r.address }, log);
    expect(notifier).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe(`sd_notify: NOTIFY_SOCKET=${r.address} is an abstract socket, which the unix-dgram transport cannot address: no readiness notifications`);
    // the raw transport, asked anyway, says the same
    expect(await openUnixDgramSender({ kind: 'abstract', name: `\0${r.address.slice(1)}` })).toMatch(/abstract socket/);
  });

  it('a receiver that is gone: dropped, logged once per kind, not thrown; found again when it comes back', async () => {
    const r = await receiver();
    const { lines, log } = recorder();
    const notifier = await notifierTo(r.address, log);
    expect(notifier.notify({ STATUS: 'first' })).toBe(true);
    await r.waitFor('first', (m) => m === 'STATUS=first');

    await r.crash(); // the socket file stays, nobody listens: ECONNREFUSED
    for (let i = 0; i < 5; i++) expect(notifier.notify({ STATUS: `lost ${i}` })).toBe(false);
    rmSync(r.address); // and now no file either: ENOENT
    for (let i = 0; i < 5; i++) expect(notifier.notify({ WATCHDOG: true })).toBe(false);
    expect(lines.map((l) => l.message)).toEqual([
      `sd_notify: ${r.address}: nobody listens on it (ECONNREFUSED) (told once; later messages are dropped silently)`,
      `sd_notify: ${r.address}: no such socket (ENOENT) (told once; later messages are dropped silently)`,
    ]);

    // systemd re-executed: a socket at the same path again
    const again = await receiver({ path: r.address });
    expect(notifier.notify({ STATUS: 'back' })).toBe(true);
    await again.waitFor('back', (m) => m === 'STATUS=back');
  });

  it('a receiver that never reads: the queue fills, messages are dropped, one line is logged', async () => {
    const r = await receiver({ stuck: true });
    const { lines, log } = recorder();
    const notifier = await notifierTo(r.address, log);
    const results = Array.from({ length: 40 }, (_, i) => notifier.notify({ STATUS: `flood ${i}` }));
    expect(results.filter(Boolean).length).toBeGreaterThan(0);
    expect(results.filter((ok) => !ok).length).toBeGreaterThan(0);
    expect(lines).toEqual([{ level: 3, message: `sd_notify: ${r.address}: its queue is full (EAGAIN) (told once; later messages are dropped silently)` }]);
  });

  it('a stream socket at NOTIFY_SOCKET is named for what it is: not a datagram socket (EPROTOTYPE), not "send -91"', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'autossh-ts-notify-stream-')), 'notify');
    cleanups.push(() => rmSync(join(path, '..'), { recursive: true, force: true }));
    // python3 binds and listens on a SOCK_STREAM socket, says so, and waits to be killed
    const listener = spawn('python3', ['-c', 'import socket, sys, time\ns = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\ns.bind(sys.argv[1]); s.listen()\nprint("bound", flush=True)\ntime.sleep(60)', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => void listener.kill('SIGKILL'));
    await new Promise((resolve) => listener.stdout!.once('data', resolve));
    const { lines, log } = recorder();
    const notifier = await notifierTo(path, log);
    expect(notifier.notify({ READY: true })).toBe(false);
    expect(notifier.notify({ STATUS: 'again' })).toBe(false);
    expect(lines).toEqual([{ level: LOG_ERR, message: `sd_notify: NOTIFY_SOCKET ${path} is not a datagram socket (wrong socket type, EPROTOTYPE) (told once; later messages are dropped silently)` }]);
  });

  it('names every other errno by its name, in words where it has them', () => {
    const errno = osConstants.errno;
    expect(errnoName(errno.EPROTOTYPE)).toBe('EPROTOTYPE');
    expect(sendFailureText('/run/n', errno.ENOTDIR)).toBe('/run/n: a part of its path is not a directory (ENOTDIR)');
    expect(sendFailureText('/run/n', errno.EPERM)).toBe('/run/n: cannot send (EPERM)');
    expect(sendFailureText('/run/n', 99_999)).toBe('/run/n: cannot send (errno 99999)');
  });

  it('after close(), notify sends nothing, returns false, and has nothing to complain about', async () => {
    const r = await receiver();
    const { lines, log } = recorder();
    const notifier = await notifierTo(r.address, log);
    notifier.close();
    expect(notifier.notify({ READY: true })).toBe(false);
    await sleep(100);
    expect(r.messages).toEqual([]);
    expect(lines).toEqual([]);
  });
});

describe('the watchdog', () => {
  it('pings at half WATCHDOG_USEC, only for its own pid', () => {
    expect(watchdogPlan({}, 7)).toBeNull();
    expect(watchdogPlan({ WATCHDOG_USEC: '30000000' }, 7)).toEqual({ intervalMs: 15_000, notice: null });
    expect(watchdogPlan({ WATCHDOG_USEC: '200000', WATCHDOG_PID: '7' }, 7)).toEqual({ intervalMs: 100, notice: null });
    expect(watchdogPlan({ WATCHDOG_USEC: '200000', WATCHDOG_PID: '8' }, 7)).toBeNull();
    expect(watchdogPlan({ WATCHDOG_USEC: '0200000' }, 7)).toEqual({ intervalMs: 100, notice: null });
  });

  it('refuses what systemd never writes, naming the variable and its value', () => {
    for (const value of ['abc', '-5', '0x10', '2s', '1e6', ' 200000', '200000 ', '0', '000', '']) {
      expect(watchdogPlan({ WATCHDOG_USEC: value }, 7), value).toEqual({
        problem: `WATCHDOG_USEC=${JSON.stringify(value)} is not a positive whole number of microseconds: no watchdog pings`,
      });
    }
    for (const value of ['abc', '0', '-7', '7.0']) {
      expect(watchdogPlan({ WATCHDOG_USEC: '200000', WATCHDOG_PID: value }, 7), value).toEqual({ problem: `WATCHDOG_PID=${JSON.stringify(value)} is not a process id: no watchdog pings` });
    }
  });

  it('pings no more often than every 10 ms, and no less often than a Node timer can wait', () => {
    expect(watchdogPlan({ WATCHDOG_USEC: '1' }, 7)).toEqual({ intervalMs: 10, notice: 'WATCHDOG_USEC=1 asks for a ping every 0.0005 ms; pinging every 10 ms, the least' });
    expect(watchdogPlan({ WATCHDOG_USEC: '19999' }, 7)).toMatchObject({ intervalMs: 10 });
    expect(watchdogPlan({ WATCHDOG_USEC: '20000' }, 7)).toEqual({ intervalMs: 10, notice: null });
    // 2^32 ms and beyond would overflow Node's timer into one ping every ms
    const cap = { intervalMs: MAX_PING_INTERVAL_MS, notice: null };
    expect(watchdogPlan({ WATCHDOG_USEC: String(2 ** 32 * 2000) }, 7)).toEqual(cap);
    expect(watchdogPlan({ WATCHDOG_USEC: String(2 ** 31 * 2000) }, 7)).toEqual(cap);
    expect(watchdogPlan({ WATCHDOG_USEC: String((2 ** 31 - 1) * 2000) }, 7)).toEqual(cap);
    expect(watchdogPlan({ WATCHDOG_USEC: '9'.repeat(400) }, 7)).toEqual(cap);
  });

  it('says a refusal and a floor, and pings for neither a refusal nor another pid', () => {
    const said = recorder();
    let pings = 0;
    expect(startWatchdog(() => pings++, { WATCHDOG_USEC: 'abc' }, said.log)).toBeNull();
    expect(startWatchdog(() => pings++, { WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid + 1) }, said.log)).toBeNull();
    const stop = startWatchdog(() => pings++, { WATCHDOG_USEC: '1' }, said.log);
    stop!();
    expect(said.lines).toEqual([
      { level: LOG_ERR, message: 'sd_notify: WATCHDOG_USEC="abc" is not a positive whole number of microseconds: no watchdog pings' },
      { level: LOG_WARNING, message: 'sd_notify: WATCHDOG_USEC=1 asks for a ping every 0.0005 ms; pinging every 10 ms, the least' },
    ]);
    expect(pings).toBe(0);
  });

  it('sends WATCHDOG=1 every 100 ms for WATCHDOG_USEC=200000 until stopped', async () => {
    const r = await receiver();
    const notifier = await notifierTo(r.address, recorder().log);
    const stop = startWatchdog(() => notifier.notify({ WATCHDOG: true }), { WATCHDOG_USEC: '200000' }, recorder().log);
    expect(stop).not.toBeNull();
    await sleep(550);
    stop!();
    const pings = r.messages.filter((m) => m === 'WATCHDOG=1').length;
    expect(pings).toBeGreaterThanOrEqual(4);
    expect(pings).toBeLessThanOrEqual(6);
    await sleep(250);
    expect(r.messages.filter((m) => m === 'WATCHDOG=1').length).toBe(pings);
  });
});
