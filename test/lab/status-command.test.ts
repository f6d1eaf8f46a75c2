// `autossh-lab status` (the built CLI, npm run build) against a real status server whose source
// is made of real tracker reports: the table, --json, and clear failures (exit 1) when the
// daemon is not there or is not a daemon.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemonMetrics } from '../../src/daemon/metrics.js';
import { startStatusServer, type StatusServer } from '../../src/daemon/status-server.js';
import type { DaemonInfo, StatusSource } from '../../src/daemon/status-types.js';
import { threeTunnels } from '../support/tracked-tunnel.js';
import { formatStatusTable, statusUrlFrom } from '../../lab/cli/commands/status.js';

const DAEMON: DaemonInfo = { pid: 4242, configPath: '/etc/autossh-ts/tunnels.toml', startedAt: '2026-01-01T00:00:00.000Z', version: '0.1.0' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI, run asynchronously: the server answering it lives in this process. */
function lab(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A status server whose source is the scene's real tracker reports, frozen as they are now. */
async function daemonScene(host = '127.0.0.1'): Promise<{ url: string; server: StatusServer }> {
  // the virtual clock's 0 was ten minutes ago, so SINCE reads like a real daemon's
  const { tunnels } = threeTunnels(Date.now() - 600_000);
  const source: StatusSource = { reports: () => tunnels.map((t) => t.tracker.report()), daemon: DAEMON };
  const server = await startStatusServer({ host, port: 0 }, source, createDaemonMetrics({ trackers: () => [] }));
  closers.push(() => server.close());
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${server.address.port}`, server };
}

/** A plain HTTP server answering every request with this. */
async function stranger(status: number, contentType: string, body: string): Promise<string> {
  const server: Server = createServer((_, response) => response.writeHead(status, { 'Content-Type': contentType }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('autossh-lab status', () => {
  it('prints the table: one line per tunnel, in order, and a summary', async () => {
    const { url } = await daemonScene();
    const run = await lab('status', '--url', url);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const header = lines[0]!;
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'STATE', 'UP', 'PID', 'STARTS', 'LAST EXIT', 'RULE', 'SINCE']);
    // columns line up: every row's cells start where the header's do
    const starts = ['STATE', 'UP', 'PID', 'STARTS', 'LAST EXIT', 'RULE', 'SINCE'].map((h) => header.indexOf(h));
    const cells = lines.slice(1, 4).map((line) => starts.map((at, i) => line.slice(at, starts[i + 1] ?? undefined).trim()));
    const names = lines.slice(1, 4).map((line) => line.slice(0, starts[0]).trim());
    expect(names).toEqual(['db', 'web', 'mon']);
    // ages: the scene's clock started ten minutes ago; a slow machine may take a few seconds more
    expect(cells[0]).toEqual(['up', 'yes', '4001', '1', '-', '-', expect.stringMatching(/^(9m5\ds|10m[0-5]\ds)$/)]);
    expect(cells[1]).toEqual(['backingOff 2s', 'no', '-', '6', expect.stringMatching(/^status 255 \(9m[2-5]\ds ago\)$/), 'graceTime', expect.stringMatching(/^9m[2-5]\ds$/)]);
    expect(cells[2]).toEqual(['stopping', 'no', '4001', '1', '-', 'connectionTestFailed', expect.stringMatching(/^(9m[3-5]\ds|10m[0-2]\ds)$/)]);
    expect(lines[4]).toBe('1/3 tunnels up; daemon pid 4242, /etc/autossh-ts/tunnels.toml, autossh-ts 0.1.0');
  });

  it('prints the JSON the daemon answered with --json', async () => {
    const { url } = await daemonScene();
    const run = await lab('status', '--url', `${url}/`, '--json');
    expect(run.code).toBe(0);
    const answered = await (await fetch(`${url}/status`)).json();
    expect(JSON.parse(run.stdout)).toEqual(answered);
  });

  it('says it cannot reach a daemon that is not there, and exits 1', async () => {
    const { url, server } = await daemonScene();
    await server.close();
    const run = await lab('status', '--url', url);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `autossh-lab status: cannot reach ${url}/status: connection refused (is autossh-ts --config running, with [status] listen at this address?)\n`,
    );
  });

  it('says what a server that is not a daemon answered, and exits 1', async () => {
    const notFound = await stranger(404, 'text/plain', 'no such page');
    let run = await lab('status', '--url', notFound);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`autossh-lab status: ${notFound}/status answered 404 Not Found: no such page\n`);

    const html = await stranger(200, 'text/html', '<html>hello</html>');
    run = await lab('status', '--url', html);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`autossh-lab status: ${html}/status did not answer JSON (is it an autossh-ts daemon's status address?)\n`);

    const wrongShape = await stranger(200, 'application/json', JSON.stringify({ daemon: DAEMON, tunnels: [{ name: 'x', phase: 'flying' }] }));
    run = await lab('status', '--url', wrongShape, '--json');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^autossh-lab status: http:\/\/127\.0\.0\.1:\d+\/status: not an autossh-ts status answer: tunnels\.0\.phase: /);
  });

  it('takes the [status] listen value as the file writes it: host:port and [v6]:port, as well as a URL', async () => {
    const v4 = await daemonScene();
    const v6 = await daemonScene('::1');
    for (const given of [v4.url.slice('http://'.length), `localhost:${new URL(v4.url).port}`, v6.url.slice('http://'.length), `${v6.url}/status`]) {
      const run = await lab('status', '--url', given, '--json');
      expect(run.stderr, given).toBe('');
      expect(run.code, given).toBe(0);
      expect(JSON.parse(run.stdout).daemon, given).toEqual(DAEMON);
    }
  });

  it('shows a restart wait in STATE and in the words of STATUS=', () => {
    const now = new Date('2026-01-01T00:10:00.000Z');
    const table = formatStatusTable({
      daemon: DAEMON,
      tunnels: [{
        name: 'db', phase: 'restarting', up: false, sshPid: null, starts: 4, lastExit: null, lastRule: 'maxStart',
        lastDecision: null, since: '2026-01-01T00:09:30.000Z', backoffSeconds: null, restartPolicy: 'always', runs: 4,
        lastRunEnd: { run: 4, reason: 'max_start', code: 0, at: '2026-01-01T00:09:30.000Z' }, restartSeconds: 29.2,
      }],
    }, now);
    const lines = table.trimEnd().split('\n');
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['db', 'restarting 30s', 'no', '-', '4', '-', 'maxStart', '30s']);
    expect(lines[2]).toBe('db: restarting in 30 s (policy always, run 4 ended: maximum start count reached)');
    expect(lines[3]).toBe('0/1 tunnels up; daemon pid 4242, /etc/autossh-ts/tunnels.toml, autossh-ts 0.1.0');
  });

  it('reads --url as a listen value unless it has a scheme', () => {
    expect(String(statusUrlFrom('127.0.0.1:9302'))).toBe('http://127.0.0.1:9302/');
    expect(String(statusUrlFrom('[::1]:9302'))).toBe('http://[::1]:9302/');
    expect(String(statusUrlFrom('localhost:9302'))).toBe('http://localhost:9302/');
    expect(String(statusUrlFrom('https://proxy.example/autossh/'))).toBe('https://proxy.example/autossh/');
    expect(statusUrlFrom('::1:9302')).toMatch(/^expected host:port .*\[::1\]:9273/);
    expect(statusUrlFrom('ftp://127.0.0.1/')).toBe('expected an http or https URL');
  });

  it('refuses a URL that is not http as a usage error (exit 2)', async () => {
    const run = await lab('status', '--url', 'ftp://127.0.0.1/');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: option '--url <url>' argument 'ftp://127.0.0.1/' is invalid. expected an http or https URL");
    const v6 = await lab('status', '--url', '::1:9273');
    expect(v6.code).toBe(2);
    expect(v6.stderr).toContain("argument '::1:9273' is invalid. expected host:port as in [status] listen");
  });
});
