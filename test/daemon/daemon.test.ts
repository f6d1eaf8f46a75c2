// The daemon in this process with real RealHosts: each tunnel's "ssh" is a shell script (a real
// child process) that sleeps, or fails. Checked on the process table: which ssh runs, whose child
// it is, which pid survived a reload.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive, readProc } from '../../lab/world/proc-table.js';
import { waitFor } from '../../lab/world/wait.js';
import { ConfigFileError, type DaemonConfig } from '../../src/daemon/config/types.js';
import { createTunnelTracker } from '../../src/daemon/tunnel-tracker.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { NotifySink } from '../../src/daemon/daemon-notifications.js';
import type { TunnelSource, TunnelReport, TunnelTracker } from '../../src/daemon/status-types.js';
import { tunnelStateOf } from '../../src/driver/tunnel-state.js';
import type { Effect } from '../../src/machine/effects.js';
import { LOG_DEBUG, LOG_INFO } from '../../src/machine/config/log-levels.js';
import { daemonConfig, fakeSsh, stopIfRunning, type TunnelSpec } from '../support/daemon-config.js';

const WAIT_MS = 5_000;
const CONFIG_PATH = '/etc/autossh-ts/tunnels.toml';

interface Harness {
  daemon: Daemon;
  /** what the injected loader returns next (or throws) at a reload */
  next: DaemonConfig | Error;
  loads: number;
  exitCode: Promise<number>;
  warnings: string[];
  notified: Array<Record<string, string>>;
}

describe('the daemon', { timeout: 20_000 }, () => {
  let dir: string;
  let sleepingSsh: string;
  let logFile: string;
  let harness: Harness | null = null;

  const spec = (name: string, host = `${name}.example`, env: Record<string, string> = {}): TunnelSpec => ({
    name,
    args: ['-M', '0', '-N', host],
    env: { AUTOSSH_PATH: sleepingSsh, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: logFile, AUTOSSH_LOGLEVEL: String(LOG_DEBUG), ...env },
  });

  function startDaemon(config: DaemonConfig, makeTracker?: (tunnel: TunnelSource) => TunnelTracker): Harness {
    let resolveExit!: (code: number) => void;
    const notified: Array<Record<string, string>> = [];
    const notifier: NotifySink = { notify: (fields) => notified.push(fields) };
    const h: Harness = {
      daemon: null as unknown as Daemon,
      next: config,
      loads: 0,
      exitCode: new Promise((resolve) => (resolveExit = resolve)),
      warnings: [],
      notified,
    };
    h.daemon = new Daemon({
      prog: 'autossh-ts',
      load: async () => {
        h.loads++;
        if (h.next instanceof Error) throw h.next;
        return h.next;
      },
      log: { logFile, logLevel: LOG_INFO, debug: false },
      onExit: resolveExit,
      warn: (line) => h.warnings.push(line),
      notifier,
      makeTracker,
    });
    expect(h.daemon.start(config)).toBeNull();
    harness = h;
    return h;
  }

  /** The tunnel's ssh, once it runs as our own child. */
  async function sshOf(daemon: Daemon, name: string, notPid?: number): Promise<number> {
    return waitFor(
      () => {
        const pid = daemon.tunnel(name)?.sshPid ?? null;
        return pid !== null && pid !== notPid && readProc(pid)?.ppid === process.pid ? pid : undefined;
      },
      { timeoutMs: WAIT_MS, what: `tunnel ${name}'s ssh running as our child${notPid ? `, not ${notPid}` : ''}` },
    );
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autossh-ts-daemon-'));
    sleepingSsh = fakeSsh(dir, 'ssh', 'exec sleep 600');
    logFile = join(dir, 'daemon.log');
  });

  afterEach(async () => {
    await stopIfRunning(harness);
    harness = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs each tunnel as its own ssh child; a reload stops removed, restarts changed, starts new and leaves the rest alone', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), spec('web'), spec('mail')]));
    const before = { db: await sshOf(h.daemon, 'db'), web: await sshOf(h.daemon, 'web'), mail: await sshOf(h.daemon, 'mail') };
    expect(new Set(Object.values(before)).size).toBe(3);
    await waitFor(() => h.notified.some((f) => f.READY === '1'), { timeoutMs: WAIT_MS, what: 'READY=1 once every tunnel started' });

    // db unchanged, web changed (another host), mail removed, cache new
    h.next = daemonConfig(CONFIG_PATH, [spec('db'), spec('web', 'web2.example'), spec('cache')]);
    await h.daemon.reload();

    expect(isAlive(before.mail)).toBe(false);
    expect(h.daemon.tunnel('mail')).toBeUndefined();
    expect(isAlive(before.web)).toBe(false);
    const web = await sshOf(h.daemon, 'web', before.web);
    expect(web).not.toBe(before.web);
    expect(h.daemon.tunnel('web')!.definition.args).toContain('web2.example');
    expect(await sshOf(h.daemon, 'db')).toBe(before.db);
    await sshOf(h.daemon, 'cache');
    expect(h.daemon.reports().map((r) => r.name)).toEqual(['db', 'web', 'cache']);
    expect(h.notified.some((f) => f.RELOADING === '1' && /^\d+$/.test(f.MONOTONIC_USEC ?? ''))).toBe(true);
    expect(readFileSync(logFile, 'utf8')).toMatch(/reloaded .*: 1 stopped, 1 started, 1 restarted, 1 unchanged/);
  });

  it('keeps every tunnel untouched when the new file is broken, and says why', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), spec('web'), spec('mail')]));
    const pids = [await sshOf(h.daemon, 'db'), await sshOf(h.daemon, 'web'), await sshOf(h.daemon, 'mail')];

    h.next = new ConfigFileError(CONFIG_PATH, 7, 'unknown key "agrs" in [[tunnel]]');
    await h.daemon.reload();

    expect([h.daemon.tunnel('db')!.sshPid, h.daemon.tunnel('web')!.sshPid, h.daemon.tunnel('mail')!.sshPid]).toEqual(pids);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    const why = `${CONFIG_PATH}:7: unknown key "agrs" in [[tunnel]]`;
    expect(h.warnings.join('')).toContain(why);
    expect(readFileSync(logFile, 'utf8')).toContain(`reload refused, the running tunnels are left as they were: ${why}`);
  });

  it('serialises reloads: SIGHUPs during a reload queue one more, not one each', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db')]));
    await sshOf(h.daemon, 'db');
    h.daemon.signal('SIGHUP');
    h.daemon.signal('SIGHUP');
    h.daemon.signal('SIGHUP');
    await h.daemon.reload(); // joins the run under way: the first and the one queued
    expect(h.loads).toBe(2);
  });

  it('stops every ssh on SIGTERM and exits 1, as 1.4g does', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), spec('web'), spec('mail')]));
    const pids = [await sshOf(h.daemon, 'db'), await sshOf(h.daemon, 'web'), await sshOf(h.daemon, 'mail')];
    h.daemon.signal('SIGTERM');
    expect(await h.exitCode).toBe(1);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(h.daemon.done).toBe(true);
    expect(h.notified.some((f) => f.STOPPING === '1')).toBe(true);
  });

  it('a second SIGTERM SIGKILLs an ssh that ignores the first (D4), for every tunnel', async () => {
    const stubborn = fakeSsh(dir, 'stubborn-ssh', "trap '' TERM\nwhile :; do sleep 1; done");
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db', 'db', { AUTOSSH_PATH: stubborn, AUTOSSH_KILLTIME: '0' })]));
    const pid = await sshOf(h.daemon, 'db');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the script's trap is set
    h.daemon.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isAlive(pid)).toBe(true); // KILLTIME=0: the machine waits for it
    h.daemon.signal('SIGTERM');
    expect(await h.exitCode).toBe(1);
    expect(isAlive(pid)).toBe(false);
  });

  it('lives on when one tunnel ends (MAXSTART used up, restart = "no"); a reload starts it again', async () => {
    const failing = fakeSsh(dir, 'failing-ssh', 'exit 255');
    const flaky = { ...spec('flaky', 'flaky', { AUTOSSH_PATH: failing, AUTOSSH_MAXSTART: '2' }), restart: { mode: 'no' as const } };
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), flaky]));
    const db = await sshOf(h.daemon, 'db');
    await waitFor(() => h.daemon.tunnel('flaky')!.done, { timeoutMs: WAIT_MS, what: 'tunnel flaky to end' });
    expect(h.daemon.done).toBe(false);
    expect(h.daemon.reports().find((r) => r.name === 'flaky')).toMatchObject({ phase: 'exited', up: false });
    expect(readFileSync(logFile, 'utf8')).toMatch(/autossh-ts\[\d+\]: flaky: its supervisor exited with status 0; the other tunnels go on/);

    const ended = h.daemon.tunnel('flaky');
    await h.daemon.reload(); // the same file: db untouched, flaky started again
    expect(h.daemon.tunnel('flaky')).not.toBe(ended);
    expect(await sshOf(h.daemon, 'db')).toBe(db);
  });

  it('SIGUSR1 restarts every tunnel\'s ssh', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), spec('web')]));
    const db = await sshOf(h.daemon, 'db');
    const web = await sshOf(h.daemon, 'web');
    h.daemon.signal('SIGUSR1');
    await sshOf(h.daemon, 'db', db);
    await sshOf(h.daemon, 'web', web);
  });

  it('names its tunnel on every text line', async () => {
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), spec('web')]));
    await sshOf(h.daemon, 'db');
    await sshOf(h.daemon, 'web');
    h.daemon.signal('SIGTERM');
    await h.exitCode;
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    const tunnelLines = lines.filter((line) => /ssh child pid is/.test(line));
    expect(tunnelLines).toHaveLength(2);
    for (const line of tunnelLines) expect(line).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d autossh-ts\[\d+\]: (db|web): ssh child pid is \d+$/);
    expect(lines.filter((line) => /: db: /.test(line)).length).toBeGreaterThan(1);
  });

  it('writes JSON lines that parse and name their tunnel, with the rule of the decision they came with', async () => {
    const failing = fakeSsh(dir, 'failing-ssh', 'exit 255');
    const flaky = { ...spec('flaky', 'flaky', { AUTOSSH_PATH: failing, AUTOSSH_MAXSTART: '1' }), restart: { mode: 'no' as const } };
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), flaky], 'json'));
    await sshOf(h.daemon, 'db');
    await waitFor(() => h.daemon.tunnel('flaky')!.done, { timeoutMs: WAIT_MS, what: 'tunnel flaky to end' });
    h.daemon.signal('SIGTERM');
    await h.exitCode;

    const records = readFileSync(logFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    for (const record of records) {
      expect(new Date(record.time!).toISOString()).toBe(record.time);
      expect(['err', 'info', 'debug']).toContain(record.level);
      expect(typeof record.message).toBe('string');
    }
    const tunnelRecords = records.filter((record) => record.tunnel !== undefined);
    expect(new Set(tunnelRecords.map((record) => record.tunnel))).toEqual(new Set(['db', 'flaky']));
    expect(tunnelRecords.find((record) => record.message === 'max start count reached; exiting')).toMatchObject({
      tunnel: 'flaky', level: 'info', rule: 'maxStart',
    });
    expect(tunnelRecords.find((record) => /^ssh child pid is/.test(record.message!) && record.tunnel === 'db')?.rule).toBeUndefined();
    // the daemon's own lines name no tunnel
    expect(records.find((record) => /starting 2 tunnel\(s\)/.test(record.message!))?.tunnel).toBeUndefined();
  });

  it('hands each tunnel to its tracker: every effect in order, its snapshot and ssh pid; reports come from the trackers', async () => {
    const seen = new Map<string, Effect[]>();
    const tracked = new Map<string, TunnelSource>();
    const makeTracker = (tunnel: TunnelSource): TunnelTracker => {
      const effects: Effect[] = [];
      seen.set(tunnel.name, effects);
      tracked.set(tunnel.name, tunnel);
      const tracker = createTunnelTracker(tunnel);
      const observe = tracker.observe.bind(tracker);
      tracker.observe = (effect) => {
        effects.push(effect);
        observe(effect);
      };
      return tracker;
    };
    const h = startDaemon(daemonConfig(CONFIG_PATH, [spec('db'), spec('web')]), makeTracker);
    const db = await sshOf(h.daemon, 'db');
    expect(tracked.get('db')!.sshPid()).toBe(db);
    expect(seen.get('db')!.map((effect) => effect.type)).toContain('spawnSsh');
    expect(h.daemon.reports()).toMatchObject([
      { name: 'db', phase: 'up', up: true, sshPid: db, starts: 1, lastExit: null },
      { name: 'web', starts: 1 },
    ]);
  });
});
