// The daemon's restart policy with real RealHosts: each tunnel's "ssh" is a shell script (a real
// child process) that ends its run (exits 0), sleeps, or is not there yet. A run that ended is
// followed by another after restart_sec, and the wait shows in /status's reports and STATUS=;
// SIGUSR1, a reload and SIGTERM act on a waiting tunnel as on a running one; a tunnel stopped on
// purpose is `stopped`; STATUS= says a refused reload, then the tunnels again.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProc } from '../../lab/world/proc-table.js';
import { waitFor } from '../../lab/world/wait.js';
import { ConfigFileError, type DaemonConfig } from '../../src/daemon/config/types.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { NotifySink } from '../../src/daemon/daemon-notifications.js';
import { createDaemonMetrics } from '../../src/daemon/metrics.js';
import { RUN_END_REASONS } from '../../src/daemon/restart-policy.js';
import type { TunnelReport } from '../../src/daemon/status-types.js';
import { createTunnelTracker } from '../../src/daemon/tunnel-tracker.js';
import { LOG_DEBUG, LOG_INFO } from '../../src/machine/config/log-levels.js';
import { daemonConfig, fakeSsh, stopIfRunning, type TunnelSpec } from '../support/daemon-config.js';
import { parseExposition, samplesOf, valueOf } from '../support/prometheus-text.js';

const WAIT_MS = 8_000;
const CONFIG_PATH = '/etc/autossh-ts/tunnels.toml';

interface Harness {
  daemon: Daemon;
  next: DaemonConfig | Error;
  exitCode: Promise<number>;
  statuses: string[];
  notified: Array<Record<string, string>>;
  /** the tunnels and their phases when READY=1 was sent */
  atReady: string[];
}

describe('the daemon\'s restart policy', { timeout: 30_000 }, () => {
  let dir: string;
  let logFile: string;
  let sleepingSsh: string;
  let harness: Harness | null = null;

  /** an "ssh" that exits 0 the first time (its run ends: status 0 means autossh exits 0), then sleeps */
  function exitsOnceSsh(name: string): string {
    const marker = join(dir, `${name}.ran`);
    return fakeSsh(dir, `${name}-ssh`, `if [ -e ${marker} ]; then exec sleep 600; fi\ntouch ${marker}\nsleep 0.2\nexit 0`);
  }

  const spec = (name: string, ssh: string, restart: TunnelSpec['restart'] = {}, host = `${name}.example`): TunnelSpec => ({
    name,
    args: ['-M', '0', '-N', host],
    env: { AUTOSSH_PATH: ssh, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: logFile, AUTOSSH_LOGLEVEL: String(LOG_DEBUG) },
    restart: { restartMs: 1_000, ...restart },
  });

  function startDaemon(config: DaemonConfig, refusalShownMs?: number): Harness {
    let resolveExit!: (code: number) => void;
    const statuses: string[] = [];
    const notified: Array<Record<string, string>> = [];
    const notifier: NotifySink = {
      notify: (fields) => {
        notified.push(fields);
        if (fields.READY === '1') h.atReady.push(h.daemon.reports().map((r) => `${r.name}:${r.phase}`).join(' '));
        if (fields.STATUS !== undefined) statuses.push(fields.STATUS);
      },
    };
    const h: Harness = { daemon: null as unknown as Daemon, next: config, exitCode: new Promise((resolve) => (resolveExit = resolve)), statuses, notified, atReady: [] };
    h.daemon = new Daemon({
      prog: 'autossh-ts',
      load: async () => {
        if (h.next instanceof Error) throw h.next;
        return h.next;
      },
      log: { logFile, logLevel: LOG_INFO, debug: false },
      onExit: resolveExit,
      notifier,
      makeTracker: (tunnel) => createTunnelTracker(tunnel),
      ...(refusalShownMs === undefined ? {} : { refusalShownMs }),
    });
    expect(h.daemon.start(config)).toBeNull();
    harness = h;
    return h;
  }

  const report = (h: Harness, name: string): TunnelReport => h.daemon.reports().find((r) => r.name === name)!;

  function until<T>(what: string, check: () => T | undefined | false): Promise<T> {
    return waitFor(() => check() || undefined, { timeoutMs: WAIT_MS, what });
  }

  /** the tunnel's ssh, running as our child, other than `notPid` */
  const sshOf = (h: Harness, name: string, notPid?: number): Promise<number> =>
    until(`tunnel ${name}'s ssh`, () => {
      const pid = h.daemon.tunnel(name)?.sshPid ?? null;
      return pid !== null && pid !== notPid && readProc(pid)?.ppid === process.pid ? pid : undefined;
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autossh-ts-restart-'));
    logFile = join(dir, 'daemon.log');
    sleepingSsh = fakeSsh(dir, 'ssh', 'exec sleep 600');
  });

  afterEach(async () => {
    await stopIfRunning(harness);
    harness = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a run that ended (ssh exited 0) again after restart_sec, and shows the wait meanwhile', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('once', exitsOnceSsh('once'))]));
    const waiting = await until('the restart wait', () => (report(h, 'once').phase === 'restarting' ? report(h, 'once') : undefined));
    const waitStartedMs = Date.now();
    expect(waiting).toMatchObject({ up: false, sshPid: null, restartPolicy: 'always', runs: 1, lastRunEnd: { run: 1, reason: 'exited_ok', code: 0 } });
    expect(waiting.restartSeconds).toBeGreaterThan(0.5);
    expect(waiting.restartSeconds).toBeLessThanOrEqual(1);
    await until('STATUS= saying the wait', () => h.statuses.includes('0/1 tunnels up; once: restarting in 1 s (policy always, run 1 ended: ssh exited with status 0)'));

    await sshOf(h, 'once');
    expect(Date.now() - waitStartedMs).toBeGreaterThanOrEqual(800);
    const back = await until('tunnel once up again', () => (report(h, 'once').up ? report(h, 'once') : undefined));
    expect(back).toMatchObject({ phase: 'up', runs: 2, restartSeconds: null, starts: 2 });
    expect(h.daemon.tunnel('once')!.tracker!.counts().restarts).toEqual({ exited_ok: 1 });
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/once: run 1 ended \(ssh exited with status 0, status 0\); restart = "always": starting run 2 in 1 s \(restart_sec = 1 s\)/);
    expect(log).toMatch(/once: starting run 2 \(restart policy\)/);
  });

  it('counts restarts by reason and shows the wait in the metrics', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db', sleepingSsh), spec('once', exitsOnceSsh('once'), { restartMs: 3_000, maxDelayMs: 3_000 })]));
    const metrics = createDaemonMetrics({ trackers: () => h.daemon.trackers() });
    await sshOf(h, 'db');
    let families = parseExposition(await metrics.text());
    // every reason's series is there from 0, so a first restart is a rise increase() sees
    expect(samplesOf(families, 'autossh_tunnel_restarts_total', { tunnel: 'db' }).map((s) => [s.labels.reason, s.value]))
      .toEqual(RUN_END_REASONS.map((reason) => [reason, 0]));
    expect(families.get('autossh_tunnel_restarts_total')?.type).toBe('counter');
    expect(families.get('autossh_tunnel_restart_wait_seconds')?.type).toBe('gauge');

    await until('the restart wait', () => report(h, 'once').phase === 'restarting');
    families = parseExposition(await metrics.text());
    const wait = valueOf(families, 'autossh_tunnel_restart_wait_seconds', { tunnel: 'once' })!;
    expect(wait).toBeGreaterThan(1.5);
    expect(wait).toBeLessThanOrEqual(3);
    expect(valueOf(families, 'autossh_tunnel_restart_wait_seconds', { tunnel: 'db' })).toBe(0);
    expect(valueOf(families, 'autossh_tunnel_restarts_total', { tunnel: 'once', reason: 'exited_ok' })).toBe(0);

    await sshOf(h, 'once');
    families = parseExposition(await metrics.text());
    expect(valueOf(families, 'autossh_tunnel_restarts_total', { tunnel: 'once', reason: 'exited_ok' })).toBe(1);
    expect(valueOf(families, 'autossh_tunnel_restart_wait_seconds', { tunnel: 'once' })).toBe(0);
    expect(valueOf(families, 'autossh_tunnel_up', { tunnel: 'once' })).toBe(report(h, 'once').up ? 1 : 0);
  });

  it('"on-failure" does not restart a run that ended with status 0; "no" ends for good', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('once', exitsOnceSsh('once'), { mode: 'on-failure' })]));
    await until('tunnel once to end', () => h.daemon.tunnel('once')!.done);
    expect(report(h, 'once')).toMatchObject({ phase: 'exited', runs: 1, restartSeconds: null, lastRunEnd: { reason: 'exited_ok' } });
    expect(readFileSync(logFile, 'utf8')).toMatch(/once: run 1 ended \(ssh exited with status 0, status 0\); not restarted: restart = "on-failure" and run 1 ended with status 0/);
    await until('STATUS= saying it', () => h.statuses.includes('0/1 tunnels up; once: exited (status 0; restart = "on-failure")'));
  });

  it('SIGUSR1 ends a restart wait: the next run starts now', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('once', exitsOnceSsh('once'), { restartMs: 60_000, maxDelayMs: 60_000 })]));
    await until('the restart wait', () => report(h, 'once').phase === 'restarting');
    const signalledMs = Date.now();
    h.daemon.signal('SIGUSR1');
    await sshOf(h, 'once');
    expect(Date.now() - signalledMs).toBeLessThan(5_000);
    expect(readFileSync(logFile, 'utf8')).toMatch(/once: SIGUSR1 ends the restart wait: starting run 2 now/);
  });

  it('SIGTERM ends a wait at once; tunnels stopped on purpose are `stopped`, not `exited (status 1)`', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db', sleepingSsh), spec('once', exitsOnceSsh('once'), { restartMs: 60_000, maxDelayMs: 60_000 })]));
    await sshOf(h, 'db');
    await until('the restart wait', () => report(h, 'once').phase === 'restarting');
    const signalledMs = Date.now();
    h.daemon.signal('SIGTERM');
    expect(await h.exitCode).toBe(1);
    expect(Date.now() - signalledMs).toBeLessThan(5_000);
    expect(h.daemon.reports().map((r) => [r.name, r.phase, r.up])).toEqual([['db', 'stopped', false], ['once', 'stopped', false]]);
    expect(report(h, 'db').lastRunEnd).toMatchObject({ run: 1, reason: 'stopped' });
    expect(h.statuses.at(-1)).toBe('0/2 tunnels up; db: stopped; once: stopped');
    expect(h.statuses.join('\n')).not.toContain('exited (status 1)');
  });

  it('a reload: a changed waiting tunnel restarts now with its new definition, a removed one stops waiting, an unchanged one waits on under its new policy', async () => {
    const slow = { restartMs: 60_000, maxDelayMs: 60_000 };
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('kept', exitsOnceSsh('kept'), slow), spec('moved', exitsOnceSsh('moved'), slow), spec('gone', exitsOnceSsh('gone'), slow)]));
    await until('three restart waits', () => h.daemon.reports().every((r) => r.phase === 'restarting'));
    const gone = h.daemon.tunnel('gone')!;

    h.next = daemonConfig(CONFIG_PATH, [spec('kept', exitsOnceSsh('kept'), { ...slow, restartMs: 30_000 }), spec('moved', exitsOnceSsh('moved'), slow, 'moved2.example')]);
    const reloadedMs = Date.now();
    await h.daemon.reload();
    expect(gone.done).toBe(true);
    expect(h.daemon.tunnel('gone')).toBeUndefined();
    await sshOf(h, 'moved');
    expect(Date.now() - reloadedMs).toBeLessThan(5_000);
    expect(h.daemon.tunnel('moved')!.definition.args).toContain('moved2.example');
    // the kept one: still waiting, now under restart_sec = 30 s, counted from its run's end
    expect(report(h, 'kept')).toMatchObject({ phase: 'restarting', runs: 1 });
    expect(report(h, 'kept').restartSeconds).toBeGreaterThan(20);
    expect(report(h, 'kept').restartSeconds).toBeLessThanOrEqual(30);
    expect(readFileSync(logFile, 'utf8')).toMatch(/kept: restart policy now restart = "always", restart_sec = 30 s/);
  });

  it('a tunnel whose ssh is missing is restarted as ssh could not be executed, and runs once it appears', async () => {
    const later = join(dir, 'ssh-later');
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('late', later)]));
    await until('a failed run', () => report(h, 'late').lastRunEnd?.reason === 'spawn_failed');
    expect(report(h, 'late')).toMatchObject({ phase: 'restarting', lastRunEnd: { code: 1 } });
    expect(existsSync(later)).toBe(false);
    fakeSsh(dir, 'ssh-later', 'exec sleep 600');
    const appearedMs = Date.now();
    await sshOf(h, 'late');
    expect(Date.now() - appearedMs).toBeLessThan(2_500); // within restart_sec (1 s), and a margin
    expect(h.daemon.tunnel('late')!.tracker!.counts().restarts.spawn_failed).toBeGreaterThanOrEqual(1);
  });

  it('a tunnel that cannot work settles into the capped wait (the cap less up to a tenth)', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [
      spec('never', join(dir, 'no-such-ssh'), { restartMs: 200, startLimitBurst: 2, startLimitIntervalMs: 1_000, maxDelayMs: 1_000 }),
    ]));
    await until('eight runs', () => report(h, 'never').runs >= 8);
    const waits = [...readFileSync(logFile, 'utf8').matchAll(/never: run (\d+) ended .*starting run \d+ in \d+ s \((.*)\)$/gm)].map((m) => [Number(m[1]), m[2]!] as const);
    expect(waits.slice(0, 1)).toEqual([[1, 'restart_sec = 0.2 s']]);
    // from the third run on: capped at 1 s, less up to a tenth
    const late = waits.filter(([run]) => run >= 3);
    expect(late.length).toBeGreaterThanOrEqual(4);
    for (const [, why] of late) {
      const seconds = Number(/waiting ([\d.]+) s/.exec(why)?.[1]);
      expect(seconds, why).toBeGreaterThanOrEqual(0.9);
      expect(seconds, why).toBeLessThanOrEqual(1);
      expect(why).toContain('(restart_max_delay_sec = 1 s)');
    }
  });

  it('READY=1 comes though a tunnel\'s first run could not start (its monitor port taken); its restarts say start_failed', async () => {
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as AddressInfo).port)));
    try {
      // -M wp: autossh itself listens on wp+1, which the holder has
      const blocked = { ...spec('blocked', sleepingSsh), args: ['-M', String(port - 1), '-N', 'blocked.example'] };
      const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db', sleepingSsh), blocked]));
      await sshOf(h, 'db');
      await until('READY=1', () => h.notified.some((f) => f.READY === '1'));
      // sent once both had begun: db's ssh started, blocked's first run ended
      expect(h.atReady[0]).toMatch(/^db:(up|connecting) blocked:restarting$/);
      await until('a run that could not start', () => report(h, 'blocked').lastRunEnd?.reason === 'start_failed');
      expect(report(h, 'blocked')).toMatchObject({ phase: 'restarting', up: false, starts: 0 });
    } finally {
      holder.close();
    }
  });

  it('STATUS= says a refused reload, then the tunnels again', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db', sleepingSsh)]), 300);
    await sshOf(h, 'db');
    await until('db up in STATUS=', () => h.statuses.at(-1) === '1/1 tunnels up');
    h.next = new ConfigFileError(CONFIG_PATH, 3, 'unknown key "agrs" in [[tunnel]]');
    await h.daemon.reload();
    expect(h.statuses.at(-1)).toBe(`reload refused: ${CONFIG_PATH}:3: unknown key "agrs" in [[tunnel]]`);
    await until('STATUS= back to the tunnels', () => h.statuses.at(-1) === '1/1 tunnels up');
  });
});
