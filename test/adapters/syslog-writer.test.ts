// Syslog through one long-lived util-linux logger, for real: logger writes to a unix datagram
// socket this test opens with python3 (Node core has no AF_UNIX datagram sockets), pointed at it
// by the test-only socket option. Order, priority, a burst of 1000 lines, the drop count when the
// pipe is full, and the last lines flushed by close().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Logger } from '../../src/adapters/logger.js';
import { SyslogWriter } from '../../src/adapters/syslog-writer.js';
import { LOG_DEBUG, LOG_ERR, LOG_INFO } from '../../src/machine/config/log-levels.js';

const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
s.settimeout(float(sys.argv[2]))
while True:
    try:
        data = s.recv(65536)
    except socket.timeout:
        break
    text = data.decode("utf-8", "replace")
    print(json.dumps(text), flush=True)
    if text.endswith(": END"):
        break
`;

interface Datagram {
  pri: number;
  tag: string;
  pid: number;
  message: string;
}

const SYSLOG_LINE = /^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d ([^[]+)\[(\d+)\]: (.*)$/s;

/** A datagram socket in a temp dir; `received()` resolves with what arrived up to ": END". */
async function receiver(idleSeconds = 10): Promise<{ path: string; received: () => Promise<Datagram[]>; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-syslog-'));
  dirs.push(dir);
  const path = join(dir, 'log.sock');
  const child = spawn('python3', ['-c', RECEIVER, path, String(idleSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.startsWith('ready\n')) resolve();
    });
    child.once('exit', () => reject(new Error('python3 receiver exited before it was ready')));
  });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    path,
    child,
    async received() {
      await done;
      return out.split('\n').slice(1).filter(Boolean).map((line) => {
        const text = JSON.parse(line) as string;
        const m = SYSLOG_LINE.exec(text);
        if (!m) throw new Error(`not a syslog line: ${text}`);
        return { pri: Number(m[1]), tag: m[2]!, pid: Number(m[3]), message: m[4]! };
      });
    },
  };
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const closed = (close: (done: () => void) => void): Promise<void> => new Promise((resolve) => close(resolve));

describe('syslog through one logger process', () => {
  it('sends each line with its priority (facility user), tag and pid, in order', async () => {
    const rx = await receiver();
    const logger = new Logger({ progName: 'autossh-ts', logFile: null, logLevel: LOG_DEBUG, debug: false, syslogSocket: rx.path });
    expect(logger.open()).toBeNull();
    logger.log(LOG_ERR, 'ssh exited with error status 255; restarting ssh');
    logger.log(LOG_INFO, 'starting ssh (count 2)');
    logger.log(LOG_DEBUG, 'checking for grace period, tries = 0');
    logger.log(LOG_INFO, 'two\nlines stay one message');
    logger.log(LOG_INFO, 'END');
    await closed((done) => logger.close(done));
    const got = await rx.received();
    expect(got.map((d) => [d.pri, d.message])).toEqual([
      [8 + 3, 'ssh exited with error status 255; restarting ssh'],
      [8 + 6, 'starting ssh (count 2)'],
      [8 + 7, 'checking for grace period, tries = 0'],
      [8 + 6, 'two lines stay one message'],
      [8 + 6, 'END'],
    ]);
    expect(new Set(got.map((d) => `${d.tag}[${d.pid}]`))).toEqual(new Set([`autossh-ts[${process.pid}]`]));
  });

  it('filters by AUTOSSH_LOGLEVEL before anything is sent', async () => {
    const rx = await receiver();
    const logger = new Logger({ progName: 'autossh-ts', logFile: null, logLevel: LOG_INFO, debug: false, syslogSocket: rx.path });
    logger.log(LOG_DEBUG, 'not sent');
    logger.log(LOG_INFO, 'END');
    await closed((done) => logger.close(done));
    expect((await rx.received()).map((d) => d.message)).toEqual(['END']);
  });

  it('delivers 1000 lines written in one burst, all of them, in order, by one process', async () => {
    const rx = await receiver();
    const writer = new SyslogWriter({ tag: 'autossh-ts', pid: 4242, socketPath: rx.path });
    for (let i = 0; i < 1000; i++) writer.write(LOG_INFO, `line ${i}`);
    writer.write(LOG_INFO, 'END');
    expect(writer.dropped).toBe(0);
    await closed((done) => writer.close(done));
    const got = await rx.received();
    expect(got.map((d) => d.message)).toEqual([...Array.from({ length: 1000 }, (_, i) => `line ${i}`), 'END']);
    expect(new Set(got.map((d) => d.pid))).toEqual(new Set([4242]));
  });

  it('drops and counts lines past the pipe bound instead of growing, and says how many when it drains', async () => {
    const rx = await receiver();
    const writer = new SyslogWriter({ tag: 'autossh-ts', pid: 4242, socketPath: rx.path, maxPendingBytes: 256 });
    for (let i = 0; i < 1000; i++) writer.write(LOG_INFO, `line ${i}`);
    const dropped = writer.dropped;
    expect(dropped).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the pipe drains
    writer.write(LOG_INFO, 'END');
    await closed((done) => writer.close(done));
    const got = await rx.received();
    const report = got.filter((d) => /log lines? dropped/.test(d.message));
    expect(report.map((d) => [d.pri, d.message])).toEqual([[8 + 4, `${dropped} log lines dropped: syslog did not keep up`]]);
    const lines = got.filter((d) => d.message.startsWith('line ')).map((d) => Number(d.message.slice(5)));
    expect(lines.length + dropped).toBe(1000);
    expect(lines).toEqual([...lines].sort((a, b) => a - b)); // what arrives is in order
    expect(got.at(-1)!.message).toBe('END');
  });

  it('says how many lines were dropped as its last line when closed before the pipe drained', async () => {
    const rx = await receiver(1); // ends 1 s after the last datagram
    const writer = new SyslogWriter({ tag: 'autossh-ts', pid: 4242, socketPath: rx.path, maxPendingBytes: 256 });
    for (let i = 0; i < 1000; i++) writer.write(LOG_INFO, `line ${i}`);
    const dropped = writer.dropped;
    expect(dropped).toBeGreaterThan(0);
    await closed((done) => writer.close(done));
    const got = await rx.received();
    expect([got.at(-1)!.pri, got.at(-1)!.message]).toEqual([8 + 4, `${dropped} log lines dropped: syslog did not keep up`]);
    expect(got.length - 1 + dropped).toBe(1000);
  });

  it('a process that logs 1000 lines and exits at once still has its last lines sent (close waits for logger)', async () => {
    // the built adapter (npm run build), in a process of its own that exits right after close()
    const rx = await receiver();
    const logger = fileURLToPath(new URL('../../dist/src/adapters/logger.js', import.meta.url));
    const script = `
      const { Logger } = await import(${JSON.stringify(logger)});
      const log = new Logger({ progName: 'autossh-ts', logFile: null, logLevel: 7, debug: false, syslogSocket: process.argv[1] });
      for (let i = 0; i < 1000; i++) log.log(6, 'last words ' + i + ' '.padEnd(40, '.'));
      log.log(6, 'END');
      log.close(() => process.exit(3));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, rx.path], { stdio: 'inherit' });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(3);
    const got = await rx.received();
    expect(got.map((d) => d.message)).toEqual([...Array.from({ length: 1000 }, (_, i) => `last words ${i} ${'.'.repeat(39)}`), 'END']);
    expect(new Set(got.map((d) => d.pid))).toEqual(new Set([child.pid]));
  });

  it('starts no process until the first line, and close() without one returns at once', async () => {
    const writer = new SyslogWriter({ tag: 'autossh-ts', pid: 1, command: '/nonexistent/logger' });
    await closed((done) => writer.close(done));
    const missing = new SyslogWriter({ tag: 'autossh-ts', pid: 1, command: '/nonexistent/logger' });
    expect(() => missing.write(LOG_ERR, 'nowhere to go')).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(() => missing.write(LOG_ERR, 'still nowhere')).not.toThrow();
    await closed((done) => missing.close(done));
  });
});
