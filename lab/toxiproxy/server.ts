import { createServer, type Server } from 'node:http';
import { ToxiproxyApi } from './api.js';
import { joinHostPort, loopbackListenHost } from './listen-address.js';
import { listen } from './listen.js';
import { ProxyCollection } from './proxy-collection.js';

export interface ToxiproxyServerOptions {
  /** Loopback only; "localhost" means 127.0.0.1. */
  host?: string;
  /** 0 picks a free port; real Toxiproxy's default is 8474. */
  port?: number;
  /** the toxicity rolls, uniform in [0, 1); Math.random by default (a test may fix them) */
  random?: () => number;
}

export interface RunningToxiproxy {
  /** Base URL for toxiproxy-node-client, e.g. http://127.0.0.1:8474 */
  readonly url: string;
  readonly port: number;
  /** Stops the API and every proxy, closing all their connections. */
  close(): Promise<void>;
}

/**
 * A Toxiproxy-compatible server in-process, for chaos runs on machines without Toxiproxy.
 * It speaks Toxiproxy 2.x's HTTP API and proxies TCP through the same toxics.
 */
export class ToxiproxyServer {
  readonly proxies = new ProxyCollection();

  async start({ host = '127.0.0.1', port = 0, random }: ToxiproxyServerOptions = {}): Promise<RunningToxiproxy> {
    const listenHost = loopbackHostOrThrow(host);
    const api = new ToxiproxyApi(this.proxies, random);
    const http: Server = createServer((request, response) => api.handle(request, response));
    const { port: actualPort } = await listen(http, { host: listenHost, port });
    // Later errors are per-connection trouble (e.g. EMFILE on accept), not a reason to crash the host.
    http.on('error', () => {});
    let closing: Promise<void> | undefined;
    return {
      url: `http://${joinHostPort({ host: listenHost, port: actualPort })}`,
      port: actualPort,
      close: () => (closing ??= this.shutdown(http)),
    };
  }

  private async shutdown(http: Server): Promise<void> {
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    // fetch keeps connections alive; without this close() would wait for them to time out.
    http.closeAllConnections();
    await this.proxies.clear();
    await closed;
  }
}

/** Starts an embedded Toxiproxy; shorthand for `new ToxiproxyServer().start(options)`. */
export function startToxiproxyServer(options?: ToxiproxyServerOptions): Promise<RunningToxiproxy> {
  return new ToxiproxyServer().start(options);
}

function loopbackHostOrThrow(host: string): string {
  try {
    return loopbackListenHost(host);
  } catch (error) {
    throw new Error(`${(error as Error).message} (asked for ${host})`);
  }
}
