// The status endpoint over real HTTP on 127.0.0.1: /ready, /status and /metrics answer from
// real trackers of real supervisors (a virtual clock, so the answers are exact); anything else is
// refused; bodies are never read; a busy port is an error naming host:port; close() is prompt.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemonMetrics } from '../../src/daemon/metrics.js';
import { MAX_CONNECTIONS, allUpAnswer, startStatusServer, type StatusServer, type StatusServerOptions } from '../../src/daemon/status-server.js';
import type { DaemonInfo } from '../../src/daemon/status-types.js';
import { statusSourceOf } from '../../src/daemon/tunnel-tracker.js';
import { parseExposition, samplesOf, valueOf } from '../support/prometheus-text.js';
import { threeTunnels, type Tracked } from '../support/tracked-tunnel.js';

const MAX_CALLBACKS = 10_000;
const LOOPBACK = { host: '127.0.0.1', port: 0 };
const DAEMON: DaemonInfo = { pid: 4242, configPath: '/etc/autossh-ts/tunnels.toml', startedAt: '2026-01-01T00:00:00.000Z', version: '0.1.0' };

const servers: StatusServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** `daemon` null: the source gives no daemon info */
async function serve(tunnels: Array<Tracked<unknown>>, daemon: DaemonInfo | null = DAEMON, options: StatusServerOptions = {}) {
  const trackers = { trackers: () => tunnels.map((t) => t.tracker) };
  const metrics = createDaemonMetrics(trackers);
  const server = await startStatusServer(LOOPBACK, statusSourceOf(trackers, daemon ?? undefined), metrics, options);
  servers.push(server);
  return { server, metrics, url: `http://127.0.0.1:${server.address.port}` };
}

/** one raw request on a fresh socket; the whole answer once the server closes it or after `waitMs` */
async function raw(port: number, request: string, waitMs = 1_000): Promise<{ text: string; closed: boolean }> {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.write(request);
  const closed = await Promise.race([once(socket, 'close').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs))]);
  socket.destroy();
  return { text, closed };
}

describe('the status server', () => {
  it('answers /ready 503 naming the tunnels not up, then 200 once every one is', async () => {
    const { clock, tunnels } = threeTunnels();
    const { url } = await serve(tunnels);
    let response = await fetch(`${url}/ready`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ ready: false, tunnels: [{ name: 'web', phase: 'backingOff' }, { name: 'mon', phase: 'stopping' }] });

    const [, web, mon] = tunnels;
    mon!.host.endSsh({ code: 255 });
    clock.runUntil(clock.now() + 120_000, MAX_CALLBACKS); // web's wait ends; mon's new ssh runs
    expect(web!.tracker.report().up && mon!.tracker.report().up).toBe(true);
    response = await fetch(`${url}/ready?verbose=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, tunnels: [] });
  });

  it('answers /status with the daemon and every tracker report, in order', async () => {
    const { tunnels } = threeTunnels();
    const { url } = await serve(tunnels);
    const response = await fetch(`${url}/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { daemon: DaemonInfo; tunnels: unknown[] };
    expect(body.daemon).toEqual(DAEMON);
    expect(body.tunnels).toEqual(tunnels.map((t) => t.tracker.report()));
    expect(body.tunnels.map((t) => (t as { phase: string }).phase)).toEqual(['up', 'backingOff', 'stopping']);
  });

  it('describes its own process when the daemon gives no info', async () => {
    const { tunnels } = threeTunnels();
    const { url } = await serve(tunnels, null);
    const body = (await (await fetch(`${url}/status`)).json()) as { daemon: DaemonInfo };
    expect(body.daemon).toMatchObject({ pid: process.pid, configPath: null, version: '0.1.0' });
  });

  it('answers /metrics in the text format, agreeing with the trackers', async () => {
    const { tunnels } = threeTunnels();
    const { url } = await serve(tunnels);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseExposition(await response.text());
    expect(samplesOf(families, 'autossh_tunnel_up').map((s) => [s.labels.tunnel, s.value])).toEqual([['db', 1], ['web', 0], ['mon', 0]]);
    expect(valueOf(families, 'autossh_ssh_starts_total', { tunnel: 'web' })).toBe(6);
    expect(valueOf(families, 'autossh_ssh_exits_total', { tunnel: 'web', reason: 'status_255' })).toBe(6);
    expect(valueOf(families, 'autossh_decisions_total', { tunnel: 'web', rule: 'graceTime' })).toBe(1);
    expect(valueOf(families, 'autossh_decisions_total', { tunnel: 'mon', rule: 'connectionTestFailed' })).toBe(1);
    expect(valueOf(families, 'autossh_backoff_seconds', { tunnel: 'web' })).toBe(tunnels[1]!.tracker.report().backoffSeconds);
    expect(valueOf(families, 'autossh_backoff_seconds', { tunnel: 'web' })).toBeGreaterThan(0);
  });

  it('reads the trackers for /metrics at most once per reuse period, however many scrapers come', async () => {
    const { clock, tunnels } = threeTunnels();
    // a period no busy test machine outlasts, for the counting
    const { url } = await serve(tunnels, DAEMON, { metricsReuseMs: 60_000 });
    let reads = 0;
    const counts = tunnels[1]!.tracker.counts.bind(tunnels[1]!.tracker);
    tunnels[1]!.tracker.counts = () => (reads++, counts());
    const texts = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${url}/metrics`)).text()));
    expect(new Set(texts).size).toBe(1);
    expect(reads).toBe(1);
    // news within the period is not shown yet
    clock.runUntil(clock.now() + 120_000, MAX_CALLBACKS);
    expect(await (await fetch(`${url}/metrics`)).text()).toBe(texts[0]);
    expect(reads).toBe(1);
  });

  it('shows the news once the reuse period is over', async () => {
    const { clock, tunnels } = threeTunnels();
    const { url } = await serve(tunnels, DAEMON, { metricsReuseMs: 50 });
    const before = parseExposition(await (await fetch(`${url}/metrics`)).text());
    expect(valueOf(before, 'autossh_tunnel_up', { tunnel: 'web' })).toBe(0);
    clock.runUntil(clock.now() + 120_000, MAX_CALLBACKS);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = parseExposition(await (await fetch(`${url}/metrics`)).text());
    expect(valueOf(after, 'autossh_tunnel_up', { tunnel: 'web' })).toBe(1);
  });

  it('answers HEAD like GET without the body', async () => {
    const { tunnels } = threeTunnels();
    const { url } = await serve(tunnels);
    const get = await fetch(`${url}/ready`);
    const head = await fetch(`${url}/ready`, { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    expect(await head.text()).toBe('');
  });

  it('refuses other methods (405, Allow) and other paths (404): it is read-only', async () => {
    const { tunnels } = threeTunnels();
    const { url } = await serve(tunnels);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${url}/ready`, { method, body: method === 'DELETE' ? null : 'restart=db' });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    for (const path of ['/', '/readyz', '/status/db', '/metrics/']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain('try /ready, /status or /metrics');
    }
  });

  it('refuses CONNECT as any other method (405, Allow), then closes; a client holding on does not hold up close()', async () => {
    const { tunnels } = threeTunnels();
    const { server } = await serve(tunnels);
    const { text, closed } = await raw(server.address.port, 'CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(head).toContain('\r\nAllow: GET, HEAD\r\n');
    expect(body).toBe('method CONNECT not allowed: this endpoint is read-only\n');
    expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(body!)}\r\n`);
    expect(closed).toBe(true);
    // one that keeps sending after its CONNECT, and never closes its side
    const socket = connect({ port: server.address.port, host: '127.0.0.1', allowHalfOpen: true });
    await once(socket, 'connect');
    socket.write('CONNECT x:1 HTTP/1.1\r\nHost: x:1\r\n\r\nmore bytes');
    await once(socket, 'data');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    socket.destroy();
  });

  it('never reads a request body: it answers, then closes the connection', async () => {
    const { tunnels } = threeTunnels();
    const { server } = await serve(tunnels);
    const { text, closed } = await raw(server.address.port, 'GET /ready HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc');
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toContain('Connection: close');
    expect(closed).toBe(true);
  });

  it('closes a connection that sends half a request once the request time is up', async () => {
    const { tunnels } = threeTunnels();
    const { server } = await serve(tunnels, DAEMON, { requestTimeoutMs: 300 });
    const started = Date.now();
    const { text, closed } = await raw(server.address.port, 'GET /ready HTTP/1.1\r\nHost: x\r\n', 5_000);
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 408 |^$/);
    expect(Date.now() - started).toBeLessThan(3_000);
    // and one that sends nothing at all
    const silent = await raw(server.address.port, '', 5_000);
    expect(silent.closed).toBe(true);
  });

  it(`serves at most ${MAX_CONNECTIONS} connections at once, and the next one once one goes`, async () => {
    const { tunnels } = threeTunnels();
    const { server, url } = await serve(tunnels);
    const held = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS }, async () => {
        const socket = connect(server.address.port, '127.0.0.1');
        await once(socket, 'connect');
        return socket;
      }),
    );
    // give the server the time to take them all
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(fetch(`${url}/ready`)).rejects.toThrow();
    held.pop()!.destroy();
    // the server hears of the close in its own time: try for a while
    let status = 0;
    for (let attempt = 0; attempt < 40 && status === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await fetch(`${url}/ready`).then((r) => r.status, () => 0);
    }
    expect(status).toBe(503);
    for (const socket of held) socket.destroy();
  });

  it('fails to start on a port in use with an error naming host:port', async () => {
    const { tunnels } = threeTunnels();
    const { server } = await serve(tunnels);
    const port = server.address.port;
    await expect(
      startStatusServer({ host: '127.0.0.1', port }, statusSourceOf({ trackers: () => [] }), createDaemonMetrics({ trackers: () => [] })),
    ).rejects.toThrow(`status listener: cannot listen on 127.0.0.1:${port}: the address is in use (EADDRINUSE)`);
  });

  it('closes promptly with a client halfway through a request, and stops answering', async () => {
    const { tunnels } = threeTunnels();
    const { server, url } = await serve(tunnels);
    servers.pop();
    const socket = connect(server.address.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /ready HTTP/1.1\r\nHost: x\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(fetch(`${url}/ready`)).rejects.toThrow();
    socket.destroy();
  });

  it('answers 500, and keeps serving, when a report cannot be made', async () => {
    let broken = true;
    const metrics = createDaemonMetrics({ trackers: () => [] });
    const source = {
      reports: () => {
        if (broken) throw new Error('snapshot unavailable');
        return [];
      },
    };
    const server = await startStatusServer(LOOPBACK, source, metrics);
    servers.push(server);
    const url = `http://127.0.0.1:${server.address.port}`;
    const response = await fetch(`${url}/status`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('snapshot unavailable');
    broken = false;
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });
});

describe('allUpAnswer', () => {
  it('is ready with no tunnels at all: nothing the daemon runs is down', () => {
    expect(allUpAnswer([])).toEqual({ ready: true, tunnels: [] });
  });
});
