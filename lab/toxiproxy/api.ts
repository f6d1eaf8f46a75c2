import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, ErrBadRequestBody, ErrMissingField } from './errors.js';
import { asObject, booleanField, parseJson, stringField } from './json-body.js';
import { Proxy, type ProxyEnvironment, type ProxyJson } from './proxy.js';
import type { ProxyCollection } from './proxy-collection.js';
import { Router } from './router.js';
import { METRICS_CONTENT_TYPE, ProxyMetrics } from './metrics.js';
import { toxicToJson } from './toxic-collection.js';

/** Reported by GET /version: the Toxiproxy API we follow, tagged as ours by semver build metadata. */
export const TOXIPROXY_API_VERSION = '2.12.0+autossh-ts';

/** Request bodies are small JSON documents; anything bigger is a client bug, not a proxy. */
const MAX_BODY_BYTES = 1 << 20;

interface Reply {
  status: number;
  /** undefined: no body (204); a string is sent as is. */
  body?: unknown;
  contentType?: string;
  /** close the connection after this reply, as Go's server does after a request it cannot parse */
  close?: boolean;
}

type Handler = (request: Request) => Reply | Promise<Reply>;

interface Request {
  /** The path's `{name}` segments, like mux.Vars in Toxiproxy. */
  params: Record<string, string>;
  body: () => Promise<unknown>;
}

/**
 * Toxiproxy 2.x's HTTP API over a ProxyCollection: same routes, status codes, JSON shapes and
 * error messages, so toxiproxy-node-client and toxiproxy-cli cannot tell the difference.
 */
export class ToxiproxyApi {
  /** Requests run one at a time, like Toxiproxy's locks, so no two changes interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Toxiproxy's routes, one line each as its api.go registers them: methods, path pattern, handler. */
  private readonly router = new Router<Handler>([
    { methods: ['POST'], path: '/reset', handler: () => this.reset() },
    { methods: ['GET'], path: '/proxies', handler: () => this.proxyIndex() },
    { methods: ['POST'], path: '/proxies', handler: (r) => this.proxyCreate(r) },
    { methods: ['POST'], path: '/populate', handler: (r) => this.populate(r) },
    { methods: ['GET'], path: '/proxies/{proxy}', handler: (r) => this.proxyShow(r) },
    { methods: ['POST', 'PATCH'], path: '/proxies/{proxy}', handler: (r) => this.proxyUpdate(r) },
    { methods: ['DELETE'], path: '/proxies/{proxy}', handler: (r) => this.proxyDelete(r) },
    { methods: ['GET'], path: '/proxies/{proxy}/toxics', handler: (r) => this.toxicIndex(r) },
    { methods: ['POST'], path: '/proxies/{proxy}/toxics', handler: (r) => this.toxicCreate(r) },
    { methods: ['GET'], path: '/proxies/{proxy}/toxics/{toxic}', handler: (r) => this.toxicShow(r) },
    { methods: ['POST', 'PATCH'], path: '/proxies/{proxy}/toxics/{toxic}', handler: (r) => this.toxicUpdate(r) },
    { methods: ['DELETE'], path: '/proxies/{proxy}/toxics/{toxic}', handler: (r) => this.toxicDelete(r) },
    { methods: ['GET'], path: '/version', handler: () => this.version() },
    // registered with no method, as Toxiproxy registers its Prometheus handler
    { methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], path: '/metrics', handler: () => this.metricsText() },
  ]);

  private readonly metrics: ProxyMetrics;
  private readonly environment: ProxyEnvironment;

  constructor(
    private readonly proxies: ProxyCollection,
    random: () => number = Math.random,
  ) {
    this.metrics = new ProxyMetrics();
    this.environment = { metrics: this.metrics, random };
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    // The body is read before queueing, so a slow client cannot hold up everyone else.
    const run = readBody(request).then((bodyText) => this.enqueue(() => this.dispatch(request, bodyText)));
    run.then(
      (reply) => send(response, reply),
      (error: unknown) => send(response, errorReply(error)),
    );
  }

  private enqueue(task: () => Promise<Reply>): Promise<Reply> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async dispatch(request: IncomingMessage, bodyText: string): Promise<Reply> {
    // Toxiproxy refuses browsers so a web page cannot drive the API (cross-site requests).
    if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      return { status: 403, body: 'User agent not allowed\n' };
    }
    const path = new URL(request.url ?? '/', 'http://toxiproxy').pathname;
    const segments = decodeSegments(path);
    // Go's server refuses a request whose URI does not parse (`%zz`) before any handler runs
    if (segments === null) return { status: 400, body: '400 Bad Request', close: true };
    const match = this.router.match(request.method ?? 'GET', segments);
    if (!match.found) return match.status === 404 ? { status: 404, body: '404 page not found\n' } : { status: 405, body: '' };
    return match.handler({ params: match.params, body: async () => parseJson(bodyText) });
  }

  private metricsText(): Reply {
    return { status: 200, body: this.metrics.text(), contentType: METRICS_CONTENT_TYPE };
  }

  private version(): Reply {
    return { status: 200, body: `{"version": "${TOXIPROXY_API_VERSION}"}\n` };
  }

  /** Re-enables every proxy and removes every toxic. */
  private async reset(): Promise<Reply> {
    for (const proxy of this.proxies.list()) {
      await proxy.start();
      proxy.toxics.clear();
    }
    return { status: 204 };
  }

  /**
   * Toxiproxy marshals its Go map of proxies: every name is a key, "__proto__" too, in sorted
   * order. A plain object would take `body["__proto__"] = ...` as its prototype and leave that
   * proxy out; a null-prototype one keeps it as a field.
   */
  private proxyIndex(): Reply {
    const body = Object.create(null) as Record<string, ProxyJson>;
    // Go sorts a map's keys by their bytes (UTF-8), which is not JavaScript's UTF-16 order
    const sorted = this.proxies.list().sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const proxy of sorted) body[proxy.name] = proxy.toJSON();
    return { status: 200, body };
  }

  private async proxyCreate(request: Request): Promise<Reply> {
    const input = asObject(await request.body(), 'toxiproxy.Proxy');
    const name = stringField(input, 'name', '', 'Proxy');
    const listen = stringField(input, 'listen', '', 'Proxy');
    const upstream = stringField(input, 'upstream', '', 'Proxy');
    const enabled = booleanField(input, 'enabled', true, 'Proxy');
    if (name === '') throw ErrMissingField.because('name');
    if (upstream === '') throw ErrMissingField.because('upstream');
    const proxy = new Proxy(name, listen, upstream, this.environment);
    await this.proxies.add(proxy, enabled);
    return { status: 201, body: proxy.toJSON() };
  }

  /** All proxies are checked before any is created; the reply lists the ones in place. */
  private async populate(request: Request): Promise<Reply> {
    const input = await request.body();
    if (!Array.isArray(input)) {
      const kind = input === null ? 'null' : typeof input;
      throw ErrBadRequestBody.because(`json: cannot unmarshal ${kind} into Go value of type []struct { toxiproxy.Proxy }`);
    }
    // the items decode into an anonymous struct (Proxy embedded, `enabled` nullable): Go names no struct
    const planned = input.map((item: unknown, index) => {
      const body = asObject(item, 'toxiproxy.Proxy');
      const name = stringField(body, 'name', '', '');
      const upstream = stringField(body, 'upstream', '', '');
      if (name === '') throw ErrMissingField.because(`name at proxy ${index + 1}`);
      if (upstream === '') throw ErrMissingField.because(`upstream at proxy ${index + 1}`);
      return { proxy: new Proxy(name, stringField(body, 'listen', '', ''), upstream, this.environment), enabled: booleanField(body, 'enabled', true, '') };
    });
    const names = new Set<string>();
    for (const { proxy } of planned) {
      if (names.has(proxy.name)) throw new ApiError(`duplicate proxy name "${proxy.name}"`, 500);
      names.add(proxy.name);
    }
    const applied: ProxyJson[] = [];
    try {
      for (const { proxy, enabled } of planned) {
        applied.push((await this.proxies.addOrReplace(proxy, enabled)).toJSON());
      }
    } catch (error) {
      const apiError = asApiError(error);
      return { status: apiError.statusCode, body: { ...apiError.toJSON(), proxies: applied } };
    }
    return { status: 201, body: { proxies: applied } };
  }

  private proxyShow(request: Request): Reply {
    return { status: 200, body: this.proxyOf(request).toJSON() };
  }

  /** POST (deprecated in Toxiproxy, still what the node client sends) and PATCH do the same. */
  private async proxyUpdate(request: Request): Promise<Reply> {
    const proxy = this.proxyOf(request);
    const input = asObject(await request.body(), 'toxiproxy.Proxy');
    await proxy.update({
      listen: stringField(input, 'listen', proxy.listen, 'Proxy'),
      upstream: stringField(input, 'upstream', proxy.upstream, 'Proxy'),
      enabled: booleanField(input, 'enabled', proxy.enabled, 'Proxy'),
    });
    return { status: 200, body: proxy.toJSON() };
  }

  private async proxyDelete(request: Request): Promise<Reply> {
    await this.proxies.remove(request.params.proxy ?? '');
    return { status: 204 };
  }

  private toxicIndex(request: Request): Reply {
    return { status: 200, body: this.proxyOf(request).toxics.list().map(toxicToJson) };
  }

  /** 200, not 201: Toxiproxy answers a new toxic with a plain OK. */
  private async toxicCreate(request: Request): Promise<Reply> {
    const proxy = this.proxyOf(request);
    return { status: 200, body: toxicToJson(proxy.toxics.add(await request.body())) };
  }

  private toxicShow(request: Request): Reply {
    return { status: 200, body: toxicToJson(this.proxyOf(request).toxics.get(request.params.toxic ?? '')) };
  }

  private async toxicUpdate(request: Request): Promise<Reply> {
    const proxy = this.proxyOf(request);
    const name = request.params.toxic ?? '';
    proxy.toxics.get(name);
    return { status: 200, body: toxicToJson(proxy.toxics.update(name, await request.body())) };
  }

  private async toxicDelete(request: Request): Promise<Reply> {
    this.proxyOf(request).toxics.remove(request.params.toxic ?? '');
    return { status: 204 };
  }

  private proxyOf(request: Request): Proxy {
    return this.proxies.get(request.params.proxy ?? '');
  }
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(error instanceof Error ? error.message : String(error), 500);
}

/** Toxiproxy writes errors with http.Error, hence the trailing newline. */
function errorReply(error: unknown): Reply {
  const apiError = asApiError(error);
  return { status: apiError.statusCode, body: `${JSON.stringify(apiError.toJSON())}\n` };
}

/** The path's segments, each percent-decoded; null when an escape is malformed. */
function decodeSegments(path: string): string[] | null {
  try {
    return path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return null;
  }
}

function send(response: ServerResponse, reply: Reply): void {
  const connection: Record<string, string> = reply.close ? { Connection: 'close' } : {};
  if (reply.body === undefined) {
    response.writeHead(reply.status, connection).end();
    return;
  }
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const contentType = reply.contentType ?? (typeof reply.body === 'string' && !text.startsWith('{') ? 'text/plain; charset=utf-8' : 'application/json');
  response.writeHead(reply.status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...connection }).end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let totalBytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    totalBytes += chunk.length;
    if (totalBytes > MAX_BODY_BYTES) throw ErrBadRequestBody.because(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
