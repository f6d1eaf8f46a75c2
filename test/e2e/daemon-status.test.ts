// The daemon end to end through the built CLI, as systemd and Prometheus meet it: a real
// datagram socket for sd_notify (python3), /ready /status /metrics over real HTTP, the metrics
// read by a strict exposition parser. Fake ssh: one that stays up, one that fails at once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getFreePort } from '../../lab/world/ports.js';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { startNotifyReceiver, type NotifyReceiver } from '../support/notify-receiver.js';
import { parseExposition, valueOf } from '../support/prometheus-text.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;
const WAIT_MS = 15_000;
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-daemon-status-'));
const staysUp = fakeSsh(dir, 'ssh-up', 'exec sleep 600');
const failsAtOnce = fakeSsh(dir, 'ssh-down', 'exit 255');
const runs: SupervisorRun[] = [];
const receivers: NotifyReceiver[] = [];

afterAll(async () => {
  for (const run of runs) await run.stop();
  for (const receiver of receivers) await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

describe('autossh-ts --config with [status] and NOTIFY_SOCKET', { timeout: 40_000 }, () => {
  it('serves /ready, /status and /metrics, and tells systemd READY=1, STATUS= and STOPPING=1', async () => {
    const port = await getFreePort();
    const configFile = join(dir, 'tunnels.toml');
    writeFileSync(configFile, [
      '[status]', `listen = "127.0.0.1:${port}"`, '',
      '[[tunnel]]', 'name = "db"', 'args = ["-M", "0", "-N", "db.example"]', `env = { AUTOSSH_PATH = "${staysUp}" }`, '',
      '[[tunnel]]', 'name = "web"', 'args = ["-M", "0", "-N", "web.example"]', `env = { AUTOSSH_PATH = "${failsAtOnce}", AUTOSSH_POLL = "30" }`, '',
    ].join('\n'));
    const receiver = await startNotifyReceiver();
    receivers.push(receiver);
    const run = spawnSupervisor({ cmd: AUTOSSH_TS, args: ['--config', configFile], cwd: dir, env: { NOTIFY_SOCKET: receiver.address } });
    runs.push(run);
    const base = `http://127.0.0.1:${port}`;

    // web's ssh fails at once: it backs off, so the daemon is not ready, and says which tunnel is not
    const notReady = await waitFor(async () => {
      try {
        const ready = await get(`${base}/ready`);
        return ready.status === 503 && ready.body.includes('"web"') ? ready : undefined;
      } catch {
        return undefined; // not listening yet
      }
    }, { timeoutMs: WAIT_MS, what: '/ready answering 503 naming web', abortIf: run.exitReason });
    expect(JSON.parse(notReady.body)).toMatchObject({ ready: false });
    expect(notReady.body).not.toContain('"db"');

    const status = JSON.parse((await get(`${base}/status`)).body) as { daemon: { pid: number; configPath: string }; tunnels: Array<{ name: string; up: boolean; sshPid: number | null; starts: number; lastExit: { code: number | null } | null }> };
    expect(status.daemon).toMatchObject({ pid: run.pid, configPath: configFile });
    const [db, web] = status.tunnels;
    expect(db).toMatchObject({ name: 'db', up: true, starts: 1 });
    expect(db!.sshPid).toEqual(expect.any(Number));
    expect(web).toMatchObject({ name: 'web', up: false });
    expect(web!.lastExit?.code).toBe(255);

    const metrics = await get(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parseExposition(metrics.body);
    expect(valueOf(families, 'autossh_tunnel_up', { tunnel: 'db' })).toBe(1);
    expect(valueOf(families, 'autossh_tunnel_up', { tunnel: 'web' })).toBe(0);
    expect(valueOf(families, 'autossh_ssh_starts_total', { tunnel: 'db' })).toBe(1);
    expect(valueOf(families, 'autossh_ssh_starts_total', { tunnel: 'web' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(families, 'autossh_ssh_exits_total', { tunnel: 'web', reason: 'status_255' })).toBeGreaterThanOrEqual(1);

    // systemd: READY=1 once every tunnel has started its ssh, a STATUS= line counting them
    await receiver.waitFor('READY=1', (message) => message.split('\n').includes('READY=1'), WAIT_MS);
    await receiver.waitFor('a STATUS= line naming the tunnels up', (message) => /STATUS=1\/2 tunnels up/.test(message), WAIT_MS);

    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(receiver.messages.some((message) => message.split('\n').includes('STOPPING=1'))).toBe(true);
  });

  it('refuses to start when the status port is taken: the error names it, no tunnel starts', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    try {
      const configFile = join(dir, 'taken.toml');
      writeFileSync(configFile, ['[status]', `listen = "127.0.0.1:${port}"`, '', '[[tunnel]]', 'name = "db"', 'args = ["-M", "0", "-N", "db.example"]', `env = { AUTOSSH_PATH = "${staysUp}" }`, ''].join('\n'));
      const run = spawnSupervisor({ cmd: AUTOSSH_TS, args: ['--config', configFile], cwd: dir });
      runs.push(run);
      expect(await run.exited).toEqual({ code: 1, signal: null });
      expect(run.output()).toContain(`127.0.0.1:${port}`);
      expect(run.output()).toMatch(/in use/);
      expect(run.sshChildren()).toEqual([]);
    } finally {
      holder.close();
    }
  });
});
