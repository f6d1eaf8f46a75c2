// The daemon against a real OpenSSH server on loopback: two -L tunnels from one file carry
// bytes; a reload that changes one tunnel's forward moves it and leaves the other's ssh alone;
// a broken file is refused with every ssh untouched; SIGTERM stops both ssh and exits 1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { isAlive } from '../../lab/world/proc-table.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitFor } from '../../lab/world/wait.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { canaryEcho, waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;
const WAIT_MS = 15_000;

describe.sequential('autossh-ts --config with a real sshd', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-daemon-sshd-'));
  const configFile = join(dir, 'tunnels.toml');
  const logFile = join(dir, 'daemon.log');
  let echo: EchoServer | undefined;
  let sshd: Sshd | undefined;
  let run: SupervisorRun | undefined;
  const ports = { db: 0, web: 0, web2: 0 };

  function writeConfig(webPort: number, extra = ''): void {
    const tunnel = (name: string, port: number): string[] => [
      '[[tunnel]]', `name = "${name}"`,
      `args = ${JSON.stringify(['-M', '0', '-N', '-L', `127.0.0.1:${port}:127.0.0.1:${echo!.port}`, ...sshd!.clientArgs(), sshd!.destination])}`, '',
    ];
    writeFileSync(configFile, [...tunnel('db', ports.db), ...tunnel('web', webPort), extra].join('\n'));
  }

  /** the ssh pid each tunnel logged last ("ssh child pid is N" in its JSON line) */
  function sshPids(): Map<string, number> {
    const pids = new Map<string, number>();
    for (const line of readFileSync(logFile, 'utf8').trimEnd().split('\n')) {
      const record = JSON.parse(line) as { tunnel?: string; message: string };
      const m = /^ssh child pid is (\d+)$/.exec(record.message);
      if (m && record.tunnel) pids.set(record.tunnel, Number(m[1]));
    }
    return pids;
  }

  beforeAll(async () => {
    echo = await startEchoServer();
    sshd = await startSshd();
    ports.db = await getFreePort();
    ports.web = await getFreePort();
    ports.web2 = await getFreePort();
    writeConfig(ports.web, '[log]\nformat = "json"\n');
    run = spawnSupervisor({ cmd: AUTOSSH_TS, args: ['--config', configFile], cwd: dir, env: { AUTOSSH_LOGFILE: logFile } });
  });

  afterAll(async () => {
    await run?.stop();
    await sshd?.stop();
    await echo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both tunnels carry bytes, each through its own ssh, our children', async () => {
    for (const port of [ports.db, ports.web]) {
      await waitUntilTunnelWorks(port, WAIT_MS, { abortIf: run!.exitReason });
      expect(await canaryEcho(port)).toMatch(/^canary-/);
    }
    expect(run!.sshChildren()).toHaveLength(2);
  });

  it('a reload moves the changed tunnel and leaves the other ssh alone; a broken file changes nothing', async () => {
    const before = await waitFor(() => (sshPids().size === 2 ? sshPids() : undefined), { timeoutMs: WAIT_MS, what: 'two ssh pids logged' });
    writeConfig(ports.web2, '[log]\nformat = "json"\n');
    process.kill(run!.pid, 'SIGHUP');
    await waitUntilTunnelWorks(ports.web2, WAIT_MS, { abortIf: run!.exitReason });
    const after = sshPids();
    expect(after.get('db')).toBe(before.get('db'));
    expect(after.get('web')).not.toBe(before.get('web'));
    expect(isAlive(before.get('web')!)).toBe(false);
    expect(await canaryEcho(ports.db)).toMatch(/^canary-/);

    // broken: an unknown key. Refused, said in the log; both ssh keep running
    writeConfig(ports.web2, '[log]\nformat = "json"\ncolour = "blue"\n');
    process.kill(run!.pid, 'SIGHUP');
    await waitFor(() => (readFileSync(logFile, 'utf8').includes('reload refused') ? true : undefined), { timeoutMs: WAIT_MS, what: 'the refusal in the log' });
    expect(readFileSync(logFile, 'utf8')).toMatch(/reload refused.*colour/);
    expect(sshPids()).toEqual(after);
    for (const pid of after.values()) expect(isAlive(pid)).toBe(true);
    expect(await canaryEcho(ports.web2)).toMatch(/^canary-/);
  });

  it('SIGTERM stops every ssh and exits 1', async () => {
    const pids = [...sshPids().values()];
    process.kill(run!.pid, 'SIGTERM');
    expect(await run!.exited).toEqual({ code: 1, signal: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});
