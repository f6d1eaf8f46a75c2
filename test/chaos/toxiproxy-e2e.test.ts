// The embedded Toxiproxy driven over raw HTTP through the sequence of Toxiproxy's own e2e script
// (scripts/test-e2e: create, list, toggle, inspect, each toxic added, updated and removed, the
// metrics), answered as a real Toxiproxy 2.12 started with `-proxy-metrics -runtime-metrics`
// answers. A real server adds `"Logger":{}` to every proxy; the comparisons here drop it.
// Then the corners a bad-input audit found: wrong field types, a busy port, a malformed URI,
// toxic times beyond Node's 2^31-1 ms timers, and the first request after a latency toxic.
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToxiproxyServer, type RunningToxiproxy } from '../../lab/toxiproxy/index.js';

let toxiproxy: RunningToxiproxy;
let web: Server;
let webPort = 0;
/** the toxicity roll every new toxic stage gets: 0.5 is under 0.99 (toxic on), 0.995 is not */
let nextRoll = 0.5;

beforeAll(async () => {
  toxiproxy = await startToxiproxyServer({ random: () => nextRoll });
  // the e2e script's web service: /test1 is 64 KiB of hex, /test2 "hello world"
  const big = Buffer.from(Buffer.from(Array.from({ length: 32 * 1024 }, (_, i) => i % 256)).toString('hex'));
  web = createHttpServer((request, response) => response.end(request.url === '/test1' ? big : 'hello world'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webPort = (web.address() as { port: number }).port;
});

afterAll(async () => {
  await toxiproxy?.close();
  web?.closeAllConnections();
  await new Promise((resolve) => web?.close(resolve));
});

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${toxiproxy.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = withoutLogger(JSON.parse(text));
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** A real Toxiproxy 2.12's proxies carry `"Logger":{}` (an exported Go field without a JSON tag). */
function withoutLogger(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLogger);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'Logger').map(([k, v]) => [k, withoutLogger(v)]));
}

/** One HTTP GET through the proxy on a new connection; ms until the whole answer is in. */
async function timedGet(listen: string, path = '/test2'): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const response = await fetch(`http://${listen}${path}`, { headers: { Connection: 'close' } });
  const body = await response.text();
  return { ms: performance.now() - started, body };
}

/** A raw TCP connection through the proxy that stays open: an HTTP/1.1 keep-alive client. */
async function keepAlive(listen: string): Promise<{ socket: Socket; get: () => Promise<number> }> {
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  const socket = connect(port, host);
  await new Promise((resolve) => socket.once('connect', resolve));
  const get = async (): Promise<number> => {
    const started = performance.now();
    socket.write('GET /test2 HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer): void => {
        text += chunk.toString();
        if (text.endsWith('hello world')) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    return performance.now() - started;
  };
  return { socket, get };
}

const toxicJson = (name: string, type: string, stream: string, toxicity: number, attributes: Record<string, number>) =>
  ({ attributes, name, type, stream, toxicity });

describe("Toxiproxy's e2e sequence", () => {
  it('is answered as the real server answers it', async () => {
    expect(await call('GET', '/version')).toMatchObject({ status: 200, json: { version: expect.stringMatching(/^2\.12\.0/) } });

    // cli create -l localhost:20000 -u localhost:20002 shopify_http (a free port here)
    const upstream = `localhost:${webPort}`;
    const created = await call('POST', '/proxies', { name: 'shopify_http', listen: 'localhost:0', upstream, enabled: true });
    expect(created.status).toBe(201);
    const listen = (created.json as { listen: string }).listen;
    expect(listen).toMatch(/^127\.0\.0\.1:\d+$/);
    const proxy = (enabled: boolean, toxics: unknown[] = []) => ({ name: 'shopify_http', listen, upstream, enabled, toxics });
    expect(created.json).toEqual(proxy(true));

    // cli list; cli toggle; cli inspect; cli toggle (the client's Save posts the whole proxy)
    expect(await call('GET', '/proxies')).toMatchObject({ status: 200, json: { shopify_http: proxy(true) } });
    expect(await call('POST', '/proxies/shopify_http', { ...proxy(false), toxics: [] })).toMatchObject({ status: 200, json: proxy(false) });
    expect(await call('GET', '/proxies/shopify_http')).toMatchObject({ status: 200, json: proxy(false) });
    expect(await call('POST', '/proxies/shopify_http', { ...proxy(true), toxics: [] })).toMatchObject({ status: 200, json: proxy(true) });
    expect((await timedGet(listen)).body).toBe('hello world');

    const toxicsPath = '/proxies/shopify_http/toxics';
    const steps: Array<[string, string, unknown, number, unknown]> = [
      // [method, path, body, status, answer]
      ['POST', toxicsPath, { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 0.99, attributes: { latency: 1000, jitter: 50 } },
        200, toxicJson('latency_downstream', 'latency', 'downstream', 0.99, { latency: 1000, jitter: 50 })],
      ['POST', `${toxicsPath}/latency_downstream`, { attributes: { jitter: 20 }, toxicity: 0.7 },
        200, toxicJson('latency_downstream', 'latency', 'downstream', 0.7, { latency: 1000, jitter: 20 })],
      ['DELETE', `${toxicsPath}/latency_downstream`, undefined, 204, undefined],
      ['POST', toxicsPath, { name: 'latency_upstream', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 1000, jitter: 50 } },
        200, toxicJson('latency_upstream', 'latency', 'upstream', 1, { latency: 1000, jitter: 50 })],
      ['POST', `${toxicsPath}/latency_upstream`, { attributes: { jitter: 20 }, toxicity: 0.3 },
        200, toxicJson('latency_upstream', 'latency', 'upstream', 0.3, { latency: 1000, jitter: 20 })],
      ['DELETE', `${toxicsPath}/latency_upstream`, undefined, 204, undefined],
      ['POST', toxicsPath, { name: 'bandwidth_kb_per_second', type: 'bandwidth', stream: 'downstream', toxicity: 0.5, attributes: { rate: 1 } },
        200, toxicJson('bandwidth_kb_per_second', 'bandwidth', 'downstream', 0.5, { rate: 1 })],
      ['POST', `${toxicsPath}/bandwidth_kb_per_second`, { attributes: { rate: 10 }, toxicity: 1 },
        200, toxicJson('bandwidth_kb_per_second', 'bandwidth', 'downstream', 1, { rate: 10 })],
      ['DELETE', `${toxicsPath}/bandwidth_kb_per_second`, undefined, 204, undefined],
      ['POST', toxicsPath, { name: 'timeout_ms', type: 'timeout', stream: 'downstream', toxicity: 0.1, attributes: { timeout: 10 } },
        200, toxicJson('timeout_ms', 'timeout', 'downstream', 0.1, { timeout: 10 })],
      ['DELETE', `${toxicsPath}/timeout_ms`, undefined, 204, undefined],
      ['POST', toxicsPath, { name: 'slicer_us', type: 'slicer', stream: 'downstream', toxicity: 1, attributes: { average_size: 64, size_variation: 32, delay: 10 } },
        200, toxicJson('slicer_us', 'slicer', 'downstream', 1, { average_size: 64, size_variation: 32, delay: 10 })],
      ['DELETE', `${toxicsPath}/slicer_us`, undefined, 204, undefined],
      ['POST', toxicsPath, { name: 'reset_peer', type: 'reset_peer', stream: 'downstream', toxicity: 1, attributes: { timeout: 2000 } },
        200, toxicJson('reset_peer', 'reset_peer', 'downstream', 1, { timeout: 2000 })],
      ['GET', '/proxies/shopify_http', undefined, 200, proxy(true, [toxicJson('reset_peer', 'reset_peer', 'downstream', 1, { timeout: 2000 })])],
      ['DELETE', `${toxicsPath}/reset_peer`, undefined, 204, undefined],
      // toxiproxy-cli toxic add --type=noop
      ['POST', toxicsPath, { type: 'noop', stream: 'upstream', toxicity: 1, attributes: {} }, 200, toxicJson('noop_upstream', 'noop', 'upstream', 1, {})],
      ['GET', toxicsPath, undefined, 200, [toxicJson('noop_upstream', 'noop', 'upstream', 1, {})]],
      ['DELETE', `${toxicsPath}/noop_upstream`, undefined, 204, undefined],
    ];
    for (const [method, path, body, status, answer] of steps) {
      const got = await call(method, path, body);
      expect({ step: `${method} ${path}`, status: got.status, json: got.json }).toEqual({ step: `${method} ${path}`, status, json: answer });
    }

    // the metrics test: a request through the proxy, then the counters by direction
    await timedGet(listen, '/test1');
    // counted when the link ends (as the real server counts): let the close reach the proxy
    await new Promise((resolve) => setTimeout(resolve, 50));
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    const sent = new RegExp(`^toxiproxy_proxy_sent_bytes_total\\{direction="downstream",listener="${listen}",proxy="shopify_http",upstream="${upstream}"\\} ([0-9]+)$`, 'm');
    expect(metrics.text).toMatch(sent);
    expect(Number(sent.exec(metrics.text)![1])).toBeGreaterThan(64 * 1024);
    expect(metrics.text).toMatch(/^# TYPE toxiproxy_proxy_received_bytes_total counter$/m);
    expect(metrics.text).toMatch(new RegExp(`^toxiproxy_proxy_received_bytes_total\\{direction="upstream",listener="${listen}",proxy="shopify_http",upstream="${upstream}"\\} [1-9][0-9]*$`, 'm'));
    expect(metrics.text).toMatch(/^process_resident_memory_bytes \d+$/m);

    expect(await call('POST', '/reset')).toMatchObject({ status: 204, text: '' });
    expect(await call('DELETE', '/proxies/shopify_http')).toMatchObject({ status: 204, text: '' });
    expect(await call('GET', '/proxies')).toMatchObject({ status: 200, json: {} });
  });
});

describe('where the embedded server differed from the real one', () => {
  it('names the Go struct field of a wrong type, as encoding/json does', async () => {
    const created = await call('POST', '/proxies', { name: 'typed', listen: '127.0.0.1:0', upstream: `127.0.0.1:${webPort}` });
    expect(created.status).toBe(201);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/proxies/typed/toxics', { type: 'latency', attributes: { latency: 'abc' } },
        'json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64'],
      ['POST', '/proxies/typed/toxics', { type: 'latency', attributes: { latency: 1.5 } },
        'json: cannot unmarshal number 1.5 into Go struct field LatencyToxic.attributes.latency of type int64'],
      ['POST', '/proxies/typed/toxics', { type: 'slicer', attributes: { average_size: true } },
        'json: cannot unmarshal bool into Go struct field SlicerToxic.attributes.average_size of type int'],
      ['POST', '/proxies/typed/toxics', { type: 'latency', toxicity: '0.5' },
        'json: cannot unmarshal string into Go struct field ToxicWrapper.toxicity of type float32'],
      ['POST', '/proxies', { name: 'x', upstream: 5 }, 'json: cannot unmarshal number into Go struct field Proxy.upstream of type string'],
      ['POST', '/proxies/typed', { enabled: 'yes' }, 'json: cannot unmarshal string into Go struct field Proxy.enabled of type bool'],
    ];
    for (const [method, path, body, message] of cases) {
      expect(await call(method, path, body)).toMatchObject({ status: 400, json: { error: `bad request body: ${message}`, status: 400 } });
    }
    await call('POST', '/proxies/typed/toxics', { type: 'latency', name: 'l', attributes: { latency: 1 } });
    expect(await call('PATCH', '/proxies/typed/toxics/l', { attributes: { jitter: [] } })).toMatchObject({
      status: 400, json: { error: 'bad request body: json: cannot unmarshal array into Go struct field LatencyToxic.attributes.jitter of type int64' },
    });
    expect(await call('PATCH', '/proxies/typed/toxics/l', { toxicity: 'high' })).toMatchObject({
      status: 400, json: { error: 'bad request body: json: cannot unmarshal string into Go struct field .toxicity of type float32' },
    });
    await call('DELETE', '/proxies/typed');
  });

  it('says a busy port as Go says it', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const answer = await call('POST', '/proxies', { name: 'busy', listen: `127.0.0.1:${port}`, upstream: `127.0.0.1:${webPort}` });
      expect(answer).toMatchObject({ status: 500, json: { error: `listen tcp 127.0.0.1:${port}: bind: address already in use`, status: 500 } });
    } finally {
      holder.close();
    }
  });

  it('answers a malformed URI with 400, not 500', async () => {
    for (const path of ['/proxies/%zz', '/proxies/a%2/toxics', '/%E0%A4%A']) {
      const answer = await call('GET', path);
      expect({ path, status: answer.status, text: answer.text }).toEqual({ path, status: 400, text: '400 Bad Request' });
    }
    // and the server goes on
    expect((await call('GET', '/version')).status).toBe(200);
  });

  it('delays the first request right after a downstream latency toxic with toxicity 0.99', async () => {
    const created = await call('POST', '/proxies', { name: 'lat', listen: '127.0.0.1:0', upstream: `127.0.0.1:${webPort}` });
    const listen = (created.json as { listen: string }).listen;
    const existing = await keepAlive(listen);
    try {
      expect(await existing.get()).toBeLessThan(200);
      nextRoll = 0.5;
      await call('POST', '/proxies/lat/toxics', { type: 'latency', stream: 'downstream', toxicity: 0.99, attributes: { latency: 300 } });
      // on a new connection and on one opened before the toxic, the very next answer waits
      const [fresh, old] = await Promise.all([timedGet(listen), existing.get()]);
      expect(fresh.ms).toBeGreaterThanOrEqual(295);
      expect(old).toBeGreaterThanOrEqual(295);
      expect((await timedGet(listen)).ms).toBeGreaterThanOrEqual(295);
      // a roll over the toxicity spares the connection: toxicity is honoured per connection
      nextRoll = 0.995;
      expect((await timedGet(listen)).ms).toBeLessThan(200);
    } finally {
      nextRoll = 0.5;
      existing.socket.destroy();
      await call('DELETE', '/proxies/lat');
    }
  });

  it('holds a toxic time beyond 2^31-1 ms for what it is, without spinning', async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const created = await call('POST', '/proxies', { name: 'huge', listen: '127.0.0.1:0', upstream: `127.0.0.1:${(echo.address() as { port: number }).port}` });
    const listen = (created.json as { listen: string }).listen;
    const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
    const days25Ms = 25 * 86_400_000;
    const sockets: Socket[] = [];
    try {
      // a 25-day timeout: the connection stays open (Node alone would close it after ~1 ms)
      await call('POST', '/proxies/huge/toxics', { name: 't', type: 'timeout', attributes: { timeout: days25Ms } });
      const held = connect(port, '127.0.0.1');
      sockets.push(held);
      let closed = false;
      held.on('close', () => { closed = true; });
      held.on('error', () => {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(closed).toBe(false);
      await call('DELETE', '/proxies/huge/toxics/t');

      // a 25-day latency on 20 connections: the data waits, and the process does not spin
      await call('POST', '/proxies/huge/toxics', { name: 'l', type: 'latency', stream: 'upstream', attributes: { latency: days25Ms } });
      let received = 0;
      for (let i = 0; i < 20; i++) {
        const socket = connect(port, '127.0.0.1');
        sockets.push(socket);
        socket.on('data', (chunk) => { received += chunk.length; });
        socket.on('error', () => {});
        socket.write('ping');
      }
      const cpuBefore = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const cpu = process.cpuUsage(cpuBefore);
      expect(received).toBe(0);
      expect((cpu.user + cpu.system) / 1000).toBeLessThan(150);
    } finally {
      for (const socket of sockets) socket.destroy();
      await call('DELETE', '/proxies/huge');
      echo.close();
    }
  });
});
