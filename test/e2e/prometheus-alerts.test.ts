// The shipped alert rules in a real Prometheus (Debian's), scraping a real daemon: the built bin
// with two -L tunnels, each to its own OpenSSH server on loopback. Prometheus runs with its own
// config and TSDB in a temp dir on a loopback port, scrapes and evaluates every second, and loads
// the shipped rules with only their `for:` shortened (minutes would not fit a test). Then web's
// server is killed: autossh_tunnel_up{tunnel="web"} goes to 0 and AutosshTunnelDown goes pending,
// then firing, for web alone; a reload of a broken file makes AutosshConfigReloadFailed pending;
// the daemon stopped makes AutosshDaemonDown pending. Read through Prometheus's HTTP API.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { isAlive } from '../../lab/world/proc-table.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitFor } from '../../lab/world/wait.js';
import { startPrometheus, type ActiveAlert, type PrometheusServer } from '../support/prometheus-server.js';
import { alertNames, shippedRules, withForShortened } from '../support/promtool.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;
const WAIT_MS = 15_000;
const POLL_MS = 100;
/** every rule's `for:` in the loaded copy: long enough to see pending at a 1 s evaluation */
const FOR_IN_TEST = '4s';

describe.sequential('the shipped alert rules in a real Prometheus, scraping the daemon', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-prometheus-e2e-'));
  const configFile = join(dir, 'tunnels.toml');
  let echo: EchoServer | undefined;
  const sshd: { db?: Sshd; web?: Sshd } = {};
  let run: SupervisorRun | undefined;
  let prometheus: PrometheusServer | undefined;
  let target = '';
  const ports = { status: 0, db: 0, web: 0 };

  function writeConfig(extra = ''): void {
    const tunnel = (name: 'db' | 'web'): string[] => [
      '[[tunnel]]', `name = "${name}"`,
      `args = ${JSON.stringify(['-M', '0', '-N', '-L', `127.0.0.1:${ports[name]}:127.0.0.1:${echo!.port}`, ...sshd[name]!.clientArgs(), sshd[name]!.destination])}`, '',
    ];
    writeFileSync(configFile, ['[status]', `listen = "${target}"`, '', ...tunnel('db'), ...tunnel('web'), extra].join('\n'));
    chmodSync(configFile, 0o600);
  }

  /** the daemon's value of `promql` per tunnel, as Prometheus has it now */
  async function byTunnel(promql: string): Promise<Record<string, number>> {
    const samples = await prometheus!.query(promql);
    return Object.fromEntries(samples.filter((s) => s.metric.job === 'autossh-ts' && s.metric.instance === target).map((s) => [s.metric.tunnel ?? '', s.value]));
  }

  /** waits until Prometheus has `alertname` (for the labels in `match`) in `state`; returns it */
  function alertIn(alertname: string, state: ActiveAlert['state'], match: Record<string, string> = {}): Promise<ActiveAlert> {
    return waitFor(async () => (await prometheus!.alerts()).find((a) =>
      a.labels.alertname === alertname && a.state === state && Object.entries(match).every(([k, v]) => a.labels[k] === v),
    ), { timeoutMs: WAIT_MS, intervalMs: POLL_MS, what: `${alertname} ${JSON.stringify(match)} ${state}` });
  }

  beforeAll(async () => {
    echo = await startEchoServer();
    sshd.db = await startSshd();
    sshd.web = await startSshd();
    ports.status = await getFreePort();
    ports.db = await getFreePort();
    ports.web = await getFreePort();
    target = `127.0.0.1:${ports.status}`;
    writeConfig();
    run = spawnSupervisor({ cmd: AUTOSSH_TS, args: ['--config', configFile], cwd: dir, env: { AUTOSSH_LOGFILE: join(dir, 'daemon.log') } });
    for (const port of [ports.db, ports.web]) await waitUntilTunnelWorks(port, WAIT_MS, { abortIf: run.exitReason });

    const shipped = shippedRules();
    const rules = withForShortened(shipped, FOR_IN_TEST);
    // the copy is the shipped file but for its `for:` lines
    const changed = shipped.split('\n').filter((line, i) => line !== rules.split('\n')[i]);
    expect(changed).toHaveLength(alertNames(shipped).length);
    for (const line of changed) expect(line).toMatch(/^ +for: \d+m$/);
    prometheus = await startPrometheus({
      rules,
      config: [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        '  - RULES_PATH',
        'scrape_configs:',
        '  - job_name: autossh-ts',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
    });
  });

  afterAll(async () => {
    const pid = prometheus?.pid;
    await prometheus?.stop();
    if (pid !== undefined) expect(isAlive(pid)).toBe(false);
    await run?.stop();
    await sshd.db?.stop();
    await sshd.web?.stop();
    await echo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the daemon: both tunnels up, no alert', async () => {
    await waitFor(async () => {
      const up = await byTunnel('autossh_tunnel_up');
      return up.db === 1 && up.web === 1;
    }, { timeoutMs: WAIT_MS, intervalMs: POLL_MS, what: 'autossh_tunnel_up 1 for db and web in Prometheus' });
    expect(await byTunnel('up{job="autossh-ts"}')).toEqual({ '': 1 });
    // Prometheus's first scrape comes ~5 s after its start (service discovery hands targets over
    // at most every 5 s), so with `for:` shortened AutosshDaemonAbsent may fire before it; the
    // next evaluation after the scrape resolves it
    await waitFor(async () => (await prometheus!.alerts()).length === 0, {
      timeoutMs: WAIT_MS, intervalMs: POLL_MS, what: 'no alert once the daemon is scraped',
    });
  });

  it("web's server killed: autossh_tunnel_up goes to 0 for web alone, and AutosshTunnelDown goes pending, then firing, for web alone", async () => {
    await sshd.web!.halt();
    await waitFor(async () => (await byTunnel('autossh_tunnel_up')).web === 0, {
      timeoutMs: WAIT_MS, intervalMs: POLL_MS, what: 'autossh_tunnel_up{tunnel="web"} 0 in Prometheus',
    });
    expect((await byTunnel('autossh_tunnel_up')).db).toBe(1);

    const pending = await alertIn('AutosshTunnelDown', 'pending', { tunnel: 'web' });
    expect(pending.labels).toEqual({ alertname: 'AutosshTunnelDown', severity: 'page', job: 'autossh-ts', instance: target, tunnel: 'web' });
    expect(pending.annotations.summary).toBe(`Tunnel web on ${target} has been down for 5 minutes`);
    expect(pending.annotations.description).toContain('journalctl -u autossh-ts');
    const firing = await alertIn('AutosshTunnelDown', 'firing', { tunnel: 'web' });
    expect(firing.activeAt).toBe(pending.activeAt);
    const alerts = await prometheus!.alerts();
    expect(alerts.filter((a) => a.labels.tunnel === 'db')).toEqual([]);
    // web's ssh is started again and again: the storm rule looks at an hour, and stays quiet
    expect(alerts.map((a) => a.labels.alertname)).toEqual(['AutosshTunnelDown']);
  });

  it('a reload of a broken file: AutosshConfigReloadFailed goes pending', async () => {
    writeConfig('colour = "blue"\n');
    process.kill(run!.pid, 'SIGHUP');
    await waitFor(async () => (await byTunnel('autossh_config_last_reload_successful'))[''] === 0, {
      timeoutMs: WAIT_MS, intervalMs: POLL_MS, what: 'autossh_config_last_reload_successful 0 in Prometheus',
    });
    const pending = await alertIn('AutosshConfigReloadFailed', 'pending');
    expect(pending.labels).toEqual({ alertname: 'AutosshConfigReloadFailed', severity: 'warning', job: 'autossh-ts', instance: target });
  });

  it('the daemon stopped: up is 0 and AutosshDaemonDown goes pending', async () => {
    await run!.stop();
    await waitFor(async () => (await byTunnel('up{job="autossh-ts"}'))[''] === 0, {
      timeoutMs: WAIT_MS, intervalMs: POLL_MS, what: 'up{job="autossh-ts"} 0 in Prometheus',
    });
    const pending = await alertIn('AutosshDaemonDown', 'pending');
    expect(pending.labels).toEqual({ alertname: 'AutosshDaemonDown', severity: 'page', job: 'autossh-ts', instance: target });
  });
});
