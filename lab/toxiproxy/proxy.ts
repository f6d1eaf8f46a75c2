import { connect, createServer, type Server, type Socket } from 'node:net';
import { Connection } from './connection.js';
import { ApiError } from './errors.js';
import { joinHostPort, loopbackListenHost, splitHostPort } from './listen-address.js';
import { listen } from './listen.js';
import type { ProxyMetrics } from './metrics.js';
import { ToxicCollection, toxicToJson, type ToxicJson } from './toxic-collection.js';
import { STREAMS } from './toxic.js';

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface ProxySettings {
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** What every proxy of one server shares. */
export interface ProxyEnvironment {
  /** where each connection's byte counts go when it closes (GET /metrics) */
  metrics?: ProxyMetrics;
  /** the toxicity rolls, uniform in [0, 1); Math.random unless a test fixes them */
  random?: () => number;
}

/** A listener that joins each client to a new upstream connection through the proxy's toxics. */
export class Proxy {
  readonly toxics = new ToxicCollection();
  private server: Server | undefined;
  /** Client and upstream sockets, including upstreams still connecting, so stop() reaches all. */
  private readonly sockets = new Set<Socket>();
  private enabledNow = false;

  constructor(
    readonly name: string,
    private listenAddress: string,
    private upstreamAddress: string,
    private readonly environment: ProxyEnvironment = {},
  ) {}

  get listen(): string {
    return this.listenAddress;
  }

  get upstream(): string {
    return this.upstreamAddress;
  }

  get enabled(): boolean {
    return this.enabledNow;
  }

  /** Listens; with port 0 the real port is chosen here and reported from now on, as Toxiproxy does. */
  async start(): Promise<void> {
    if (this.enabledNow) return;
    const { host: requestedHost, port } = splitHostPort(this.listenAddress);
    const host = loopbackListenHost(requestedHost);
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => this.accept(client));
    try {
      this.listenAddress = joinHostPort(await listen(server, { host, port }));
    } catch (error) {
      throw new ApiError(`listen tcp ${joinHostPort({ host, port })}: ${goListenError(error as NodeJS.ErrnoException)}`, 500);
    }
    // A failing accept must not crash the process hosting the proxy.
    server.on('error', () => {});
    this.server = server;
    this.enabledNow = true;
  }

  /** Closes the listener and every connection through it. */
  async stop(): Promise<void> {
    if (!this.enabledNow) return;
    this.enabledNow = false;
    const server = this.server;
    this.server = undefined;
    const closed = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Toxiproxy's Proxy.Update: a new address restarts the listener, then `enabled` is applied. */
  async update(settings: ProxySettings): Promise<void> {
    if (settings.listen !== this.listenAddress || settings.upstream !== this.upstreamAddress) {
      await this.stop();
      this.listenAddress = settings.listen;
      this.upstreamAddress = settings.upstream;
    }
    if (settings.enabled) await this.start();
    else await this.stop();
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listenAddress,
      upstream: this.upstreamAddress,
      enabled: this.enabledNow,
      toxics: this.toxics.list().map(toxicToJson),
    };
  }

  private accept(client: Socket): void {
    this.track(client);
    let target;
    try {
      target = splitHostPort(this.upstreamAddress);
    } catch {
      client.destroy();
      return;
    }
    // Like Toxiproxy, a client is accepted first and dropped if the upstream cannot be reached.
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    this.track(upstream);
    upstream.once('error', () => client.destroy());
    upstream.once('connect', () => {
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      // the labels as the link starts, as Toxiproxy takes them
      const labels = { proxy: this.name, listener: this.listenAddress, upstream: this.upstreamAddress };
      const connection = new Connection(client, upstream, this.toxics, this.environment.random ?? Math.random, () => {
        for (const stream of STREAMS) {
          this.toxics.detach(stream, connection.links[stream]);
          const { receivedBytes, sentBytes } = connection.bytes(stream);
          this.environment.metrics?.linkEnded({ direction: stream, ...labels }, receivedBytes, sentBytes);
        }
      });
      for (const stream of STREAMS) this.toxics.attach(stream, connection.links[stream]);
      client.resume();
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    // Errors end in 'close'; the links already treat that as the end of the stream.
    socket.on('error', () => {});
    socket.once('close', () => this.sockets.delete(socket));
  }
}

/** The words Go's net.Listen uses for a failed bind (its syscall error text), else Node's message. */
function goListenError(error: NodeJS.ErrnoException): string {
  const words = GO_BIND_ERRORS[error.code ?? ''];
  return words === undefined ? error.message : `bind: ${words}`;
}

const GO_BIND_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
};
