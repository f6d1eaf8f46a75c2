// A real scrape of the daemon (the built bin, two tunnels through real ssh: db to a real sshd on
// loopback, web to a port nobody listens on, so its ssh exits 255 again and again) piped to
// Debian's `promtool check metrics`; and the series of the rules' unit tests
// (contrib/prometheus/autossh-ts.rules.test.yml) held to that scrape: every one of them is a
// series the daemon exposes, with the same name and labels (the tunnel's name aside).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort } from '../../lab/world/ports.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitFor } from '../../lab/world/wait.js';
import { SUPERVISORS } from '../e2e/supervisors.js';
import { promtool, RULES_TEST_FILE, ruleExpressions, shippedRules, testInputSeries, type SeriesSelector } from '../support/promtool.js';
import { parseExposition, samplesOf, valueOf, type Family } from '../support/prometheus-text.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;
const WAIT_MS = 15_000;
/** Labels Prometheus adds to every series it scrapes: not the daemon's. */
const TARGET_LABELS = new Set(['job', 'instance']);
/**
 * The restart policy's series (another branch adds them to the daemon). While this daemon does
 * not expose them the rules' tests write them in the shape they were specified with; once it
 * does, they are held to the scrape like every other series.
 */
const POLICY_METRICS = new Set(['autossh_tunnel_restarts_total', 'autossh_tunnel_restart_wait_seconds']);

/** `args` with the value of its `-p` replaced. */
function withPort(args: string[], port: number): string[] {
  const at = args.indexOf('-p');
  if (at < 0) throw new Error('no -p in the client args');
  return [...args.slice(0, at + 1), String(port), ...args.slice(at + 2)];
}

/** The labels of a test series without those Prometheus adds. */
function ownLabels(series: SeriesSelector): Record<string, string> {
  return Object.fromEntries(Object.entries(series.labels).filter(([k]) => !TARGET_LABELS.has(k)));
}

/** Does the scrape have this series: same name and labels, any tunnel name? */
function scraped(families: Map<string, Family>, series: SeriesSelector): boolean {
  const wanted = ownLabels(series);
  const names = Object.keys(wanted).sort().join(',');
  return samplesOf(families, series.name).some((s) =>
    Object.keys(s.labels).sort().join(',') === names && Object.entries(wanted).every(([k, v]) => k === 'tunnel' || s.labels[k] === v),
  );
}

describe.sequential('a real scrape of the daemon', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-scrape-'));
  let sshd: Sshd | undefined;
  let run: SupervisorRun | undefined;
  let base = '';

  beforeAll(async () => {
    sshd = await startSshd();
    const [statusPort, dbPort, webPort, closedPort] = [await getFreePort(), await getFreePort(), await getFreePort(), await getFreePort()];
    const tunnel = (name: string, localPort: number, client: string[]): string[] => [
      '[[tunnel]]', `name = "${name}"`,
      `args = ${JSON.stringify(['-M', '0', '-N', '-L', `127.0.0.1:${localPort}:127.0.0.1:9`, ...client, sshd!.destination])}`, '',
    ];
    const configFile = join(dir, 'tunnels.toml');
    writeFileSync(configFile, [
      '[status]', `listen = "127.0.0.1:${statusPort}"`, '',
      ...tunnel('db', dbPort, sshd.clientArgs()),
      ...tunnel('web', webPort, withPort(sshd.clientArgs(), closedPort)),
    ].join('\n'));
    chmodSync(configFile, 0o600);
    run = spawnSupervisor({ cmd: AUTOSSH_TS, args: ['--config', configFile], cwd: dir, env: { AUTOSSH_LOGFILE: join(dir, 'daemon.log') } });
    base = `http://127.0.0.1:${statusPort}`;
  });

  afterAll(async () => {
    await run?.stop();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** /metrics once db is up and web has failed at least once */
  async function scrape(): Promise<string> {
    return waitFor(async () => {
      const body = await (await fetch(`${base}/metrics`)).text();
      const families = parseExposition(body);
      const webFailed = (valueOf(families, 'autossh_ssh_exits_total', { tunnel: 'web', reason: 'status_255' }) ?? 0) > 0;
      return valueOf(families, 'autossh_tunnel_up', { tunnel: 'db' }) === 1 && webFailed ? body : undefined;
    }, { timeoutMs: WAIT_MS, what: '/metrics with db up and web failed', abortIf: run!.exitReason });
  }

  it('passes promtool check metrics', async () => {
    const body = await scrape();
    const result = await promtool(['check', 'metrics'], body);
    expect(result, body).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('has every series the rules are tested with, as the tests write them', async () => {
    const testSeries = testInputSeries(readFileSync(RULES_TEST_FILE, 'utf8')).filter((s) => s.name !== 'up');
    expect(testSeries.length).toBeGreaterThan(20);
    // web's ssh keeps failing: its exits and decisions (graceTime among them) come within seconds
    const missing = (families: Map<string, Family>): SeriesSelector[] =>
      testSeries.filter((s) => !(POLICY_METRICS.has(s.name) && !families.has(s.name)) && !scraped(families, s));
    const families = await waitFor(async () => {
      const now = parseExposition(await scrape());
      return missing(now).length === 0 ? now : undefined;
    }, { timeoutMs: WAIT_MS, what: 'every series of the rules tests in a scrape' }).catch(async (error: Error) => {
      const now = parseExposition(await scrape());
      throw new Error(`${error.message}; not in the scrape: ${missing(now).map((s) => JSON.stringify(s)).join(', ')}`);
    });
    // every metric a rule reads is the daemon's, or the policy's, or Prometheus's own `up`
    const used = new Set(ruleExpressions(shippedRules()).flatMap((expr) => [...expr.matchAll(/\bautossh_[a-z_]+\b/g)].map((m) => m[0])));
    expect(used.size).toBeGreaterThan(4);
    for (const name of used) expect(families.has(name) || POLICY_METRICS.has(name), name).toBe(true);
  });
});
