// A broken invariant in one daemon tunnel ends that tunnel's run alone, as a supervisor exit 1:
// its log says which invariant and after what event, its ssh is stopped, its restart policy
// decides what follows, and the other tunnels' ssh run on untouched. The daemon runs in this
// process with real RealHosts; each "ssh" is a script that sleeps. The broken tunnel's
// invariants are told a net timeout of 1 ms (DaemonDeps.invariantConfigOf), so its machine's
// first connection test (AUTOSSH_POLL=1: 500 ms) breaks "a connection test within the net timeout".
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readProc } from '../../lab/world/proc-table.js';
import { waitFor } from '../../lab/world/wait.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createTunnelTracker } from '../../src/daemon/tunnel-tracker.js';
import { LOG_INFO } from '../../src/machine/config/log-levels.js';
import { daemonConfig, fakeSsh } from '../support/daemon-config.js';

const WAIT_MS = 5_000;

describe('a broken invariant in one daemon tunnel', { timeout: 20_000 }, () => {
  let dir = '';
  let daemon: Daemon | null = null;
  let exited: Promise<number> = Promise.resolve(0);

  afterEach(async () => {
    if (daemon && !daemon.done) {
      daemon.signal('SIGTERM');
      await exited;
    }
    daemon = null;
    rmSync(dir, { recursive: true, force: true });
  });

  async function sshOf(name: string, notPid?: number): Promise<number> {
    return waitFor(() => {
      const pid = daemon!.tunnel(name)?.sshPid ?? null;
      return pid !== null && pid !== notPid && readProc(pid)?.ppid === process.pid ? pid : undefined;
    }, { timeoutMs: WAIT_MS, what: `tunnel ${name}'s ssh${notPid ? `, not ${notPid}` : ''}` });
  }

  it('ends that tunnel\'s run with status 1 and its ssh stopped; its restart policy starts the next; the others run on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'autossh-ts-daemon-breach-'));
    const ssh = fakeSsh(dir, 'ssh', 'exec sleep 600');
    const logFile = join(dir, 'daemon.log');
    const env = { AUTOSSH_PATH: ssh, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: logFile };
    const config = daemonConfig('/etc/autossh-ts/tunnels.toml', [
      { name: 'db', args: ['-M', '0', '-N', 'db.example'], env },
      {
        name: 'web', args: ['-M', '20000:7', '-N', 'web.example'], env: { ...env, AUTOSSH_POLL: '1', AUTOSSH_FIRST_POLL: '1' },
        restart: { restartMs: 200 },
      },
    ]);
    let resolveExit!: (code: number) => void;
    exited = new Promise((resolve) => (resolveExit = resolve));
    daemon = new Daemon({
      prog: 'autossh-ts',
      load: async () => config,
      log: { logFile, logLevel: LOG_INFO, debug: false },
      onExit: resolveExit,
      makeTracker: (tunnel) => createTunnelTracker(tunnel),
      invariantConfigOf: (definition) => (definition.name === 'web' ? { ...definition.config, netTimeoutMs: 1 } : undefined),
    });
    expect(daemon.start(config)).toBeNull();
    const db = await sshOf('db');
    const firstWeb = await sshOf('web');

    const log = (): string => readFileSync(logFile, 'utf8');
    await waitFor(() => /web: run 1 ended/.test(log()), { timeoutMs: WAIT_MS, what: 'web\'s first run to end' });
    expect(log()).toMatch(
      /autossh-ts\[\d+\]: web: invariant "a connection test within the net timeout" broken by POLL_DUE at \d+ ms: a connection test with a time limit of 500 ms, longer than the net timeout of 1 ms; none of that step's effects were applied; this supervisor stops its ssh and exits with status 1/,
    );
    expect(isAlive(firstWeb)).toBe(false);
    // as any run that ended with status 1: restart = "always" (the default) starts the next one
    expect(log()).toMatch(/web: run 1 ended \(autossh gave up on an ssh error, status 1\); restart = "always": starting run 2 in 1 s/);
    const web = daemon.tunnel('web')!;
    const report = web.tracker!.report();
    expect(report.lastRunEnd).toMatchObject({ run: 1, reason: 'exited_error', code: 1 });
    await sshOf('web', firstWeb);

    expect(daemon.done).toBe(false);
    expect(daemon.tunnel('db')!.sshPid).toBe(db);
    expect(isAlive(db)).toBe(true);
    expect(log()).not.toMatch(/db: invariant|internal error/);
  });
});
