// WATCHDOG_USEC as the drop-in and the daemon read it (one parser, one interval rule): a value
// systemd never writes is refused by name on stderr and in the log, with no pings; one below the
// 10 ms floor pings every 10 ms, not every 1; one past Node's timer limit (2^31-1 ms) does not
// overflow into a ping every ms. Each run is the built bundle with NOTIFY_SOCKET on a python3
// datagram socket, counting WATCHDOG=1 over a second.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { startNotifyReceiver, type NotifyReceiver } from '../support/notify-receiver.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-watchdog-'));
const ssh = fakeSsh(dir, 'ssh', 'exec sleep 60');
const config = join(dir, 'one.toml');
writeFileSync(config, ['[[tunnel]]', 'name = "a"', 'args = ["-M", "0", "-N", "h"]', `env = { AUTOSSH_PATH = "${ssh}" }`, ''].join('\n'));
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const MODES = {
  'drop-in': { args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_PATH: ssh, AUTOSSH_GATETIME: '0' } },
  daemon: { args: ['--config', config], env: {} },
} as const;

interface Watched {
  run: SupervisorRun;
  receiver: NotifyReceiver;
  log: () => string;
  /** WATCHDOG=1 datagrams over `ms`, from once ssh runs */
  pingsOver(ms: number): Promise<number>;
}

async function watched(mode: keyof typeof MODES, usec: string, name: string): Promise<Watched> {
  const receiver = await startNotifyReceiver();
  const logFile = join(dir, `${name}.log`);
  const { args, env } = MODES[mode];
  const run = spawnSupervisor({ cmd: AUTOSSH_TS, args: [...args], cwd: dir, env: { ...env, AUTOSSH_LOGFILE: logFile, NOTIFY_SOCKET: receiver.address, WATCHDOG_USEC: usec } });
  cleanups.push(async () => {
    await run.stop();
    await receiver.stop();
  });
  const log = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  await waitFor(() => (log().includes('ssh child pid is') ? true : undefined), { timeoutMs: 15_000, what: `${name}: ssh started`, abortIf: run.exitReason });
  const pings = (): number => receiver.messages.filter((m) => m === 'WATCHDOG=1').length;
  return {
    run, receiver, log,
    async pingsOver(ms) {
      const before = pings();
      await sleep(ms);
      return pings() - before;
    },
  };
}

describe.each(Object.keys(MODES) as Array<keyof typeof MODES>)('WATCHDOG_USEC in the %s', (mode) => {
  it('refuses abc, -5 and 0x10 by name, on stderr and in the log, and never pings', { timeout: 60_000 }, async () => {
    const runs = await Promise.all(['abc', '-5', '0x10'].map((usec, i) => watched(mode, usec, `${mode}-bad-${i}`).then((w) => ({ usec, w }))));
    for (const { usec, w } of runs) {
      const said = `sd_notify: WATCHDOG_USEC=${JSON.stringify(usec)} is not a positive whole number of microseconds: no watchdog pings`;
      // stderr comes through a pipe: it may arrive after the log file's line
      await waitFor(() => (w.run.output().includes(said) ? true : undefined), { timeoutMs: 5_000, what: `stderr says ${said}` }).catch(() => undefined);
      expect(w.run.output()).toContain(said);
      expect(w.log()).toContain(said);
    }
    await sleep(500);
    for (const { w } of runs) expect(w.receiver.messages.filter((m) => m === 'WATCHDOG=1')).toEqual([]);
  });

  it('WATCHDOG_USEC=1 pings every 10 ms at most, and says so', { timeout: 60_000 }, async () => {
    const w = await watched(mode, '1', `${mode}-tiny`);
    const pings = await w.pingsOver(1_000);
    // 100 a second at the floor (fewer on a busy machine); 1,000 without it
    expect(pings).toBeGreaterThan(10);
    expect(pings).toBeLessThanOrEqual(110);
    expect(w.run.output()).toContain('sd_notify: WATCHDOG_USEC=1 asks for a ping every 0.0005 ms; pinging every 10 ms, the least');
  });

  it('WATCHDOG_USEC of 2^32 ms and more does not overflow into a ping every ms', { timeout: 60_000 }, async () => {
    const w = await watched(mode, String(2 ** 32 * 2000), `${mode}-huge`);
    expect(await w.pingsOver(1_000)).toBe(0);
    expect(w.run.output()).not.toContain('TimeoutOverflowWarning');
  });
});
