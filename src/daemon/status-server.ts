// The daemon's read-only HTTP endpoint: /ready, /status, /metrics. It reads the trackers at each
// request and never drives a machine: there is no control action over HTTP. Each answer is
// computed synchronously from snapshots, so a busy scraper costs the machines one short turn of
// the event loop per request, and everything a client can make us hold is bounded (timeouts,
// connections, headers; request bodies are never read).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { VERSION } from '../cli/help.js';
import type { StatusListen } from './config/types.js';
import type { DaemonMetrics } from './metrics.js';
import type { DaemonInfo, StatusSource, TunnelReport } from './status-types.js';

/** A request must be whole within this long; an idle keep-alive connection is closed after it. */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Scrapers and probes hold a connection or two each; past this many, a new one is closed at once. */
export const MAX_CONNECTIONS = 64;
const MAX_HEADERS = 64;

export interface StatusServer {
  address: { host: string; port: number };
  close(): Promise<void>;
}

/** GET /ready's body: whether every tunnel is up (the readiness-probe convention calls it `ready`), and the ones that are not. */
export interface AllUpAnswer {
  ready: boolean;
  tunnels: Array<{ name: string; phase: TunnelReport['phase'] }>;
}

/** GET /status's body. */
export interface StatusAnswer {
  daemon: DaemonInfo;
  tunnels: TunnelReport[];
}

export class StatusListenError extends Error {}

export function allUpAnswer(reports: readonly TunnelReport[]): AllUpAnswer {
  const down = reports.filter((report) => !report.up).map(({ name, phase }) => ({ name, phase }));
  // no tunnels at all are all up: nothing the daemon runs is down
  return { ready: down.length === 0, tunnels: down };
}

/** "127.0.0.1:9273", "[::1]:9273" */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A /metrics answer is reused for this long: however many scrapers come, the trackers are read
 * at most once per period (a scrape of 100 tunnels is a few ms of the event loop the machines
 * share), and Prometheus scrapes every 15 s or more anyway.
 */
export const METRICS_REUSE_MS = 1_000;

export interface StatusServerOptions {
  /** REQUEST_TIMEOUT_MS unless told (tests shorten it) */
  requestTimeoutMs?: number;
  /** METRICS_REUSE_MS unless told; 0 computes every answer afresh */
  metricsReuseMs?: number;
}

/** The /metrics text, computed at most once per `reuseMs`; concurrent scrapes share one computation. */
function reusedMetrics(metrics: DaemonMetrics, reuseMs: number): () => Promise<string> {
  let last: { atMs: number; text: Promise<string> } | null = null;
  return () => {
    const nowMs = performance.now();
    if (last === null || nowMs - last.atMs >= reuseMs) {
      const text = metrics.text();
      last = { atMs: nowMs, text };
      // a failed scrape is not kept for the next one
      text.catch(() => {
        if (last?.text === text) last = null;
      });
    }
    return last.text;
  };
}

export async function startStatusServer(
  listen: StatusListen,
  source: StatusSource,
  metrics: DaemonMetrics,
  options: StatusServerOptions = {},
): Promise<StatusServer> {
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const metricsText = reusedMetrics(metrics, options.metricsReuseMs ?? METRICS_REUSE_MS);
  const daemon: DaemonInfo = source.daemon ?? {
    pid: process.pid,
    configPath: null,
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    version: VERSION,
  };
  const server = createServer({
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    // how often node checks those two timeouts (30 s by default: a slow client would outstay them)
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, timeoutMs / 2)),
  }, (request, response) => {
    answer(request, response, source, daemon, metrics.contentType, metricsText).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `internal error: ${String(error)}\n`);
      else response.destroy();
    });
  });
  // node:http hands a CONNECT to 'connect' listeners, and with none it drops the connection
  // unanswered: a CONNECT is a method like any other here, refused with 405 and Allow
  const refused = new Set<Duplex>();
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    refused.add(socket);
    socket.once('close', () => refused.delete(socket));
    refuseConnect(request, socket, timeoutMs);
  });
  server.keepAliveTimeout = timeoutMs;
  server.maxHeadersCount = MAX_HEADERS;
  server.maxConnections = MAX_CONNECTIONS;

  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const where = hostPort(listen.host, listen.port);
      const why = error.code === 'EADDRINUSE' ? 'the address is in use' : error.code === 'EADDRNOTAVAIL' ? 'no such local address' : error.message;
      reject(new StatusListenError(`status listener: cannot listen on ${where}: ${why} (${error.code ?? 'error'})`));
    };
    server.once('error', failed);
    server.listen({ host: listen.host, port: listen.port, exclusive: true }, () => {
      server.off('error', failed);
      resolve();
    });
  });
  // after start-up an error on the listening socket must not take the daemon down
  server.on('error', () => {});
  const bound = server.address() as AddressInfo;

  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // idle ones are closed by close() itself; a client halfway through a request would hold it open
        server.closeAllConnections();
        // node:http no longer counts a CONNECT's socket as its own connection
        for (const socket of refused) socket.destroy();
      }),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  source: StatusSource,
  daemon: DaemonInfo,
  metricsType: string,
  metricsText: () => Promise<string>,
): Promise<void> {
  // a body is never read: answer, then close instead of draining it for the next request
  if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) {
    response.shouldKeepAlive = false;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', ALLOWED_METHODS);
    return send(response, 405, 'text/plain; charset=utf-8', methodNotAllowed(request.method));
  }
  const path = pathOf(request.url);
  switch (path) {
    case '/ready': {
      const body = allUpAnswer(source.reports());
      return sendJson(response, body.ready ? 200 : 503, body);
    }
    case '/status': {
      const body: StatusAnswer = { daemon, tunnels: source.reports() };
      return sendJson(response, 200, body);
    }
    case '/metrics':
      return send(response, 200, metricsType, await metricsText());
    default:
      return send(response, 404, 'text/plain; charset=utf-8', `not found: ${(path ?? '?').slice(0, 200)} (try /ready, /status or /metrics)\n`);
  }
}

const ALLOWED_METHODS = 'GET, HEAD';

function methodNotAllowed(method: string | undefined): string {
  return `method ${method ?? '?'} not allowed: this endpoint is read-only\n`;
}

/**
 * A CONNECT's socket is ours alone once node:http has emitted it: no ServerResponse, no timeouts.
 * The 405 is written by hand and the connection closed; what the client sends meanwhile is read
 * and dropped (unread bytes would turn our close into a reset that can lose the answer), and a
 * client that never closes its side is cut off after the request time.
 */
function refuseConnect(request: IncomingMessage, socket: Duplex, timeoutMs: number): void {
  const body = methodNotAllowed(request.method);
  const head = [
    'HTTP/1.1 405 Method Not Allowed',
    `Allow: ${ALLOWED_METHODS}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'Connection: close',
  ];
  socket.on('error', () => {});
  socket.resume();
  const cutOff = setTimeout(() => socket.destroy(), timeoutMs);
  cutOff.unref();
  socket.once('close', () => clearTimeout(cutOff));
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://status').pathname;
  } catch {
    return null;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  // HEAD: node:http leaves the body out and keeps the length
  response.end(body);
}
