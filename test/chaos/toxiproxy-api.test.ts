import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { startToxiproxyServer, type RunningToxiproxy } from '../../lab/toxiproxy/index.js';
import {
  TcpClient,
  connectionRefused,
  startSendingServer,
  type TcpServer,
} from './support/tcp.js';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';

// With TOXIPROXY_URL set, the same assertions run against a real Toxiproxy (which must be able
// to reach 127.0.0.1 on this machine); so everything here is behaviour real Toxiproxy 2.x has.
const externalUrl = process.env.TOXIPROXY_URL;

let toxiproxyUrl = '';
let embedded: RunningToxiproxy | undefined;
let toxiproxy: Toxiproxy;
let echo: EchoServer;
let proxyCount = 0;

beforeAll(async () => {
  if (externalUrl === undefined) {
    embedded = await startToxiproxyServer();
    toxiproxyUrl = embedded.url;
  } else {
    toxiproxyUrl = externalUrl.replace(/\/+$/, '');
  }
  toxiproxy = new Toxiproxy(toxiproxyUrl);
  echo = await startEchoServer();
});

afterAll(async () => {
  await echo?.stop();
  await embedded?.close();
});

/** Unique per run, so a shared real Toxiproxy is not disturbed. */
function proxyName(): string {
  proxyCount += 1;
  return `autossh-ts-${process.pid}-${proxyCount}`;
}

/** Runs `body` with a fresh proxy to `upstreamPort` and the clients it opens, then removes both. */
async function withProxy(
  upstreamPort: number,
  body: (proxy: Proxy, connect: () => Promise<TcpClient>) => Promise<void>,
): Promise<void> {
  const proxy = await toxiproxy.createProxy({
    name: proxyName(),
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${upstreamPort}`,
  });
  const clients: TcpClient[] = [];
  const connect = async (): Promise<TcpClient> => {
    const client = await TcpClient.connect(portOf(proxy.listen));
    clients.push(client);
    return client;
  };
  try {
    await body(proxy, connect);
  } finally {
    for (const client of clients) client.destroy();
    await proxy.remove().catch(() => {});
  }
}

/** withProxy in front of a server that sends `payload` to each connection (and then ends it, with `end`). */
async function withSendingProxy(
  payload: Buffer,
  { end }: { end: boolean },
  body: (proxy: Proxy, connect: () => Promise<TcpClient>) => Promise<void>,
): Promise<void> {
  const sender = await startSendingServer(payload, { end });
  try {
    await withProxy(sender.port, body);
  } finally {
    await sender.close();
  }
}

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** The node client's body type wants every field; Toxiproxy itself defaults name, stream and toxicity. */
function toxic<T>(body: { type: string; attributes: T; stream?: string; name?: string; toxicity?: number }): ICreateToxicBody<T> {
  return body as unknown as ICreateToxicBody<T>;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${toxiproxyUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : withoutLogger(JSON.parse(text)) };
}

/** A real Toxiproxy 2.12 adds `"Logger":{}` to every proxy (a Go field without a JSON tag): not ours to compare. */
function withoutLogger(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLogger);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'Logger').map(([key, v]) => [key, withoutLogger(v)]));
}

async function rawApi(method: string, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${toxiproxyUrl}${path}`, { method });
  return { status: response.status, text: await response.text() };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Toxiproxy HTTP API', () => {
  it('GET /version answers with a 2.x version', async () => {
    expect(await toxiproxy.getVersion()).toMatch(/\b2\.\d+\.\d+/);
  });

  it('creates, shows, lists, disables, re-enables and deletes a proxy with Toxiproxy status codes', async () => {
    const name = proxyName();
    const upstream = `127.0.0.1:${echo.port}`;
    const created = await api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ name, listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream, enabled: true, toxics: [] });
    const listen = (created.json as { listen: string }).listen;
    expect(portOf(listen)).toBeGreaterThan(0);
    try {
      expect(await api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream })).toEqual({
        status: 409,
        json: { error: 'proxy already exists', status: 409 },
      });
      expect(await api('POST', '/proxies', { name: `${name}-x`, listen: '127.0.0.1:0' })).toEqual({
        status: 400,
        json: { error: 'missing required field: upstream', status: 400 },
      });

      const shown = await toxiproxy.get(name);
      expect(shown.toJson()).toEqual({ name, listen, upstream, enabled: true });
      expect((await api('GET', `/proxies/${name}`)).json).toEqual({ name, listen, upstream, enabled: true, toxics: [] });
      const all = await toxiproxy.getAll();
      expect(all[name]?.listen).toBe(listen);
      expect(((await api('GET', '/proxies')).json as Record<string, unknown>)[name]).toEqual({ name, listen, upstream, enabled: true, toxics: [] });

      // Disabling closes the listener and the connections through it.
      const client = await TcpClient.connect(portOf(listen));
      expect(await client.roundTripMs('hello')).toBeLessThan(1000);
      const disabled = await api('PATCH', `/proxies/${name}`, { enabled: false });
      expect(disabled).toEqual({ status: 200, json: { name, listen, upstream, enabled: false, toxics: [] } });
      expect(await client.waitForClose(2000)).toBe(true);
      expect(await connectionRefused(portOf(listen))).toBe(true);

      // The node client updates with POST; the proxy comes back on the same address.
      const enabled = await shown.update({ enabled: true, listen, upstream });
      expect(enabled.enabled).toBe(true);
      const again = await TcpClient.connect(portOf(listen));
      expect(await again.roundTripMs('back')).toBeLessThan(1000);
      expect(again.received.toString()).toBe('back');
      again.destroy();

      expect(await api('DELETE', `/proxies/${name}`)).toEqual({ status: 204, json: undefined });
      expect(await connectionRefused(portOf(listen))).toBe(true);
    } finally {
      await api('DELETE', `/proxies/${name}`);
    }
    expect(await api('GET', `/proxies/${name}`)).toEqual({ status: 404, json: { error: 'proxy not found', status: 404 } });
    expect(await api('DELETE', `/proxies/${name}`)).toEqual({ status: 404, json: { error: 'proxy not found', status: 404 } });
    await expect(toxiproxy.get(name)).rejects.toThrow(/404/);
  });

  it('POST /populate creates proxies in one call and checks its body', async () => {
    const names = [proxyName(), proxyName()];
    const upstream = `127.0.0.1:${echo.port}`;
    try {
      const populated = await toxiproxy.populate(names.map((name) => ({ name, listen: '127.0.0.1:0', upstream })));
      expect(Object.keys(populated).sort()).toEqual([...names].sort());
      for (const name of names) {
        const proxy = populated[name]!;
        expect(proxy.enabled).toBe(true);
        const client = await TcpClient.connect(portOf(proxy.listen));
        await client.roundTripMs(name);
        expect(client.received.toString()).toBe(name);
        client.destroy();
      }

      const third = proxyName();
      names.push(third);
      const viaFetch = await api('POST', '/populate', [{ name: third, listen: '127.0.0.1:0', upstream, enabled: false }]);
      expect(viaFetch.status).toBe(201);
      expect(viaFetch.json).toEqual({
        proxies: [{ name: third, listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream, enabled: false, toxics: [] }],
      });

      const notAnArray = await api('POST', '/populate', { name: 'x', upstream });
      expect(notAnArray.status).toBe(400);
      expect((notAnArray.json as { error: string }).error).toMatch(/^bad request body/);
      const missing = await api('POST', '/populate', [{ name: `${third}-y`, listen: '127.0.0.1:0' }]);
      expect(missing.status).toBe(400);
      expect((missing.json as { error: string }).error).toMatch(/^missing required field: upstream/);
    } finally {
      for (const name of names) await api('DELETE', `/proxies/${name}`);
    }
  });

  it('adds, lists, shows, updates and removes toxics with Toxiproxy shapes and errors', async () => {
    await withProxy(echo.port, async (proxy) => {
      const path = `/proxies/${proxy.name}/toxics`;
      const added = await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 50 } }));
      expect(added.toJson()).toEqual({
        name: 'latency_downstream',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 50, jitter: 0 },
      });
      const second = await api('POST', path, { name: 'cut', type: 'limit_data', stream: 'upstream', toxicity: 0.5, attributes: { bytes: 10 } });
      expect(second).toEqual({
        status: 200,
        json: { name: 'cut', type: 'limit_data', stream: 'upstream', toxicity: 0.5, attributes: { bytes: 10 } },
      });
      const listed = (await api('GET', path)).json as { name: string }[];
      expect(listed.map((item) => item.name).sort()).toEqual(['cut', 'latency_downstream']);
      expect((await proxy.getToxic('cut')).toJson().attributes).toEqual({ bytes: 10 });
      expect(((await api('GET', `/proxies/${proxy.name}`)).json as { toxics: unknown[] }).toxics).toHaveLength(2);

      const updated = await added.update(toxic({ type: 'latency', attributes: { latency: 70, jitter: 5 } }));
      expect(updated.attributes).toEqual({ latency: 70, jitter: 5 });
      // PATCH merges: attributes left out keep their value.
      const patched = await api('PATCH', `${path}/latency_downstream`, { attributes: { jitter: 9 }, toxicity: 0.25 });
      expect(patched).toEqual({
        status: 200,
        json: { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 0.25, attributes: { latency: 70, jitter: 9 } },
      });

      expect(await api('POST', path, { type: 'no_such_toxic' })).toEqual({ status: 400, json: { error: 'invalid toxic type', status: 400 } });
      expect(await api('POST', path, { type: 'latency', stream: 'sideways' })).toEqual({
        status: 400,
        json: { error: 'stream was invalid, can be either upstream or downstream', status: 400 },
      });
      expect(await api('POST', path, { type: 'latency' })).toEqual({ status: 409, json: { error: 'toxic already exists', status: 409 } });
      expect((await api('POST', path, 'not json')).status).toBe(400);
      expect(await api('GET', `${path}/nope`)).toEqual({ status: 404, json: { error: 'toxic not found', status: 404 } });
      expect(await api('PATCH', `${path}/nope`, { attributes: {} })).toEqual({ status: 404, json: { error: 'toxic not found', status: 404 } });
      expect(await api('POST', `/proxies/${proxy.name}-missing/toxics`, { type: 'latency' })).toEqual({
        status: 404,
        json: { error: 'proxy not found', status: 404 },
      });

      await updated.remove();
      expect(await api('DELETE', `${path}/cut`)).toEqual({ status: 204, json: undefined });
      expect(await api('DELETE', `${path}/cut`)).toEqual({ status: 404, json: { error: 'toxic not found', status: 404 } });
      expect((await api('GET', path)).json).toEqual([]);
    });
  });

  it('POST /reset re-enables proxies and removes their toxics', async () => {
    await withProxy(echo.port, async (proxy) => {
      await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 2000, jitter: 0 } }));
      await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      expect(await connectionRefused(portOf(proxy.listen))).toBe(true);

      expect((await api('POST', '/reset')).status).toBe(204);
      const after = (await api('GET', `/proxies/${proxy.name}`)).json as { enabled: boolean; toxics: unknown[] };
      expect(after.enabled).toBe(true);
      expect(after.toxics).toEqual([]);
      const client = await TcpClient.connect(portOf(proxy.listen));
      expect(await client.roundTripMs('after reset')).toBeLessThan(500);
    });
  });

  // Toxiproxy keeps its proxies in a Go map: any name is a key, "__proto__" too, and the map is
  // marshalled with its keys sorted (by their bytes)
  it('GET /proxies lists every proxy by name, "__proto__" included, in sorted order', async () => {
    const base = proxyName();
    const names = ['__proto__', `${base}-b`, `${base}-a`];
    try {
      for (const name of names) {
        expect((await api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` })).status).toBe(201);
      }
      const all = (await api('GET', '/proxies')).json as Record<string, { name: string }>;
      const keys = Object.keys(all);
      expect(keys).toContain('__proto__');
      expect(Object.getOwnPropertyDescriptor(all, '__proto__')?.value).toMatchObject({ name: '__proto__', enabled: true });
      const ours = keys.filter((key) => names.includes(key));
      expect(ours).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      expect((await api('GET', '/proxies/__proto__')).json).toMatchObject({ name: '__proto__' });
    } finally {
      for (const name of names) await api('DELETE', `/proxies/${name}`);
    }
    expect(Object.keys((await api('GET', '/proxies')).json as object)).not.toContain('__proto__');
  });

  it('routes like Toxiproxy: a path no route has is 404, a known path with another method 405', async () => {
    await withProxy(echo.port, async (proxy) => {
      await proxy.addToxic(toxic({ type: 'latency', name: 'slow', attributes: { latency: 1, jitter: 0 } }));
      const notFound = { status: 404, text: '404 page not found\n' };
      for (const path of ['/nowhere', '/proxies/', `/proxies/${proxy.name}/`, `/proxies/${proxy.name}/other`, `/proxies/${proxy.name}/toxics/slow/more`]) {
        expect(await rawApi('GET', path), path).toEqual(notFound);
      }
      for (const [method, path] of [['PUT', '/proxies'], ['DELETE', '/version'], ['GET', '/reset'], ['PUT', `/proxies/${proxy.name}/toxics/slow`]] as const) {
        expect((await rawApi(method, path)).status, `${method} ${path}`).toBe(405);
      }
      expect(await rawApi('GET', `/proxies/${proxy.name}/toxics/slow`)).toMatchObject({ status: 200 });
    });
  });
});

describe('toxics on the wire', () => {
  it('latency delays live connections, follows updates, and stops when removed', async () => {
    await withProxy(echo.port, async (proxy, connect) => {
      const client = await connect();
      expect(await client.roundTripMs('a')).toBeLessThan(200);

      const added = await proxy.addToxic(toxic({ type: 'latency', attributes: { latency: 300, jitter: 0 } }));
      const delayedMs = await client.roundTripMs('b');
      expect(delayedMs).toBeGreaterThanOrEqual(280);
      expect(delayedMs).toBeLessThan(1000);

      await api('PATCH', `/proxies/${proxy.name}/toxics/${added.name}`, { attributes: { latency: 100 } });
      const lessMs = await client.roundTripMs('c');
      expect(lessMs).toBeGreaterThanOrEqual(80);
      expect(lessMs).toBeLessThan(280);

      await added.remove();
      expect(await client.roundTripMs('d')).toBeLessThan(200);
      expect(client.received.toString()).toBe('abcd');
    });
  });

  it('upstream latency with jitter stays within latency ± jitter', async () => {
    await withProxy(echo.port, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'latency', stream: 'upstream', attributes: { latency: 200, jitter: 50 } }));
      const client = await connect();
      for (const payload of ['x', 'y', 'z']) {
        const ms = await client.roundTripMs(payload);
        expect(ms).toBeGreaterThanOrEqual(145);
        expect(ms).toBeLessThan(800);
      }
      expect(client.received.toString()).toBe('xyz');
    });
  });

  it('toxicity 0 leaves connections untouched', async () => {
    await withProxy(echo.port, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'latency', toxicity: 0, attributes: { latency: 1500, jitter: 0 } }));
      const client = await connect();
      expect(await client.roundTripMs('free')).toBeLessThan(500);
    });
  });

  it('timeout 0 swallows data on a live connection; removing it closes the connection', async () => {
    await withProxy(echo.port, async (proxy, connect) => {
      const client = await connect();
      await client.roundTripMs('before');
      const timeout = await proxy.addToxic(toxic({ type: 'timeout', attributes: { timeout: 0 } }));
      client.socket.write('lost');
      expect(await client.waitForBytes('beforelost'.length, 600)).toBe(false);
      expect(client.closed).toBe(false);

      await timeout.remove();
      expect(await client.waitForClose(2000)).toBe(true);
      expect(client.received.toString()).toBe('before');
    });
  });

  it('timeout N closes a new connection after N ms without passing data', async () => {
    await withProxy(echo.port, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'timeout', attributes: { timeout: 400 } }));
      const client = await connect();
      client.socket.write('dropped');
      expect(await client.waitForClose(3000)).toBe(true);
      expect(client.closedAtMs! - client.startedAtMs).toBeGreaterThanOrEqual(350);
      expect(client.closedAtMs! - client.startedAtMs).toBeLessThan(2000);
      expect(client.received.length).toBe(0);
    });
  });

  it('reset_peer resets the connection (RST) timeout ms after data arrives', async () => {
    await withProxy(echo.port, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'reset_peer', attributes: { timeout: 200 } }));
      const client = await connect();
      await sleep(300);
      expect(client.closed).toBe(false);
      const sentAtMs = performance.now();
      client.socket.write('trigger');
      expect(await client.waitForClose(3000)).toBe(true);
      expect(client.errorCode).toBe('ECONNRESET');
      expect(client.closedAtMs! - sentAtMs).toBeGreaterThanOrEqual(150);
      expect(client.received.length).toBe(0);
    });
  });

  it('bandwidth limits throughput to rate KB/s', async () => {
    const payload = Buffer.alloc(100_000, 7);
    await withSendingProxy(payload, { end: false }, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'bandwidth', attributes: { rate: 100 } }));
      const client = await connect();
      expect(await client.waitForBytes(payload.length, 5000)).toBe(true);
      const elapsedMs = client.chunks[client.chunks.length - 1]!.atMs - client.startedAtMs;
      // 100 000 bytes at 100 KB/s is one second.
      expect(elapsedMs).toBeGreaterThanOrEqual(800);
      expect(elapsedMs).toBeLessThan(2500);
      expect(client.received.equals(payload)).toBe(true);
    });
  });

  // latency, bandwidth and slicer hold bytes back: each set to hold 60 KB for a minute, or for
  // about 0.3 s
  const HOLDING = [
    { type: 'latency', forAMinute: { latency: 60_000, jitter: 0 }, briefly: { latency: 300, jitter: 0 } },
    { type: 'bandwidth', forAMinute: { rate: 1 }, briefly: { rate: 200 } },
    {
      type: 'slicer',
      forAMinute: { average_size: 100, size_variation: 0, delay: 60_000_000 },
      briefly: { average_size: 10_000, size_variation: 0, delay: 50_000 },
    },
  ];
  const HELD_BYTES = 60_000;

  it.each(HOLDING)('$type hands over the bytes it holds when it is removed', async ({ type, forAMinute }) => {
    const payload = Buffer.alloc(HELD_BYTES, 5);
    await withSendingProxy(payload, { end: false }, async (proxy, connect) => {
      const added = await proxy.addToxic(toxic({ type, attributes: forAMinute }));
      const client = await connect();
      expect(await client.waitForBytes(payload.length, 300)).toBe(false);
      await added.remove();
      expect(await client.waitForBytes(payload.length, 2000)).toBe(true);
      expect(client.received.equals(payload)).toBe(true);
    });
  });

  it.each(HOLDING)("$type passes the sender's end on after the bytes it held", async ({ type, briefly }) => {
    const payload = Buffer.alloc(HELD_BYTES, 6);
    await withSendingProxy(payload, { end: true }, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type, attributes: briefly }));
      const client = await connect();
      expect(await client.waitForClose(3000)).toBe(true);
      expect(client.received.equals(payload)).toBe(true);
      expect(client.chunks[client.chunks.length - 1]!.atMs - client.startedAtMs).toBeGreaterThanOrEqual(200);
      expect(client.endedAtMs).toBeGreaterThanOrEqual(client.chunks[client.chunks.length - 1]!.atMs);
    });
  });

  it('slicer delivers data in small pieces spaced by delay microseconds', async () => {
    const payload = Buffer.from(Array.from({ length: 1600 }, (_, i) => i % 251));
    await withSendingProxy(payload, { end: false }, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'slicer', attributes: { average_size: 100, size_variation: 10, delay: 20_000 } }));
      const client = await connect();
      expect(await client.waitForBytes(payload.length, 5000)).toBe(true);
      expect(client.received.equals(payload)).toBe(true);
      const sizes = client.chunks.map((chunk) => chunk.data.length);
      expect(sizes.length).toBeGreaterThanOrEqual(8);
      // a busy reader may find two slices waiting and read them as one: judge the typical piece
      const median = [...sizes].sort((a, b) => a - b)[Math.floor(sizes.length / 2)]!;
      expect(median).toBeLessThanOrEqual(110);
      const spreadMs = client.chunks[client.chunks.length - 1]!.atMs - client.chunks[0]!.atMs;
      // About 16 pieces with 20 ms after each.
      expect(spreadMs).toBeGreaterThanOrEqual(200);
      expect(spreadMs).toBeLessThan(2000);
    });
  });

  it('limit_data passes exactly bytes bytes, then closes the connection', async () => {
    const payload = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 253));
    await withSendingProxy(payload, { end: false }, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'limit_data', attributes: { bytes: 1000 } }));
      const client = await connect();
      expect(await client.waitForClose(3000)).toBe(true);
      expect(client.received.equals(payload.subarray(0, 1000))).toBe(true);
    });
  });

  it('slow_close delays the close by delay ms but not the data', async () => {
    await withSendingProxy(Buffer.from('bye'), { end: true }, async (proxy, connect) => {
      await proxy.addToxic(toxic({ type: 'slow_close', attributes: { delay: 500 } }));
      const client = await connect();
      expect(await client.waitForClose(3000)).toBe(true);
      expect(client.received.toString()).toBe('bye');
      const dataAtMs = client.chunks[0]!.atMs;
      expect(dataAtMs - client.startedAtMs).toBeLessThan(300);
      expect((client.endedAtMs ?? client.closedAtMs!) - dataAtMs).toBeGreaterThanOrEqual(450);
    });
  });
});
