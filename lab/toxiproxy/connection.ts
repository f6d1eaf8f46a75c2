import type { Socket } from 'node:net';
import { ToxicLink } from './link.js';
import type { Stream, ToxicConfig } from './toxic.js';

/**
 * Bytes a direction may hold inside its toxics before the source socket is paused. Toxiproxy
 * gets the same effect from unbuffered channels; without a limit a slow toxic (bandwidth,
 * latency) would buffer a fast sender's whole stream in memory.
 */
const HIGH_WATER_BYTES = 1 << 20;

/** One direction: source socket → toxic chain → destination socket, with back-pressure. */
class Pipe {
  readonly link: ToxicLink;
  /** read from the source, written to the destination: the proxy's byte counters */
  receivedBytes = 0;
  sentBytes = 0;
  private inFlightBytes = 0;
  private pausedByUs = false;

  constructor(
    private readonly source: Socket,
    private readonly destination: Socket,
    chain: readonly ToxicConfig[],
    reset: () => void,
    random: () => number,
  ) {
    this.link = new ToxicLink(
      {
        deliver: (chunk) => this.deliver(chunk),
        finish: () => this.finish(),
        reset,
        discarded: (byteCount) => this.settle(byteCount),
      },
      chain,
      random,
    );
    source.on('data', (chunk: Buffer) => {
      this.inFlightBytes += chunk.length;
      this.receivedBytes += chunk.length;
      this.link.write(chunk);
      this.applyBackpressure();
    });
    // Toxiproxy treats a half-close like a close: the end runs through the chain, then the
    // destination is closed for good, which in turn ends the other direction.
    source.on('end', () => this.link.end());
    source.on('close', () => this.link.end());
    destination.on('drain', () => this.applyBackpressure());
  }

  private deliver(chunk: Buffer): void {
    this.settle(chunk.length);
    if (this.destination.destroyed || this.destination.writableEnded) return;
    this.sentBytes += chunk.length;
    this.destination.write(chunk);
    this.applyBackpressure();
  }

  private finish(): void {
    const destination = this.destination;
    if (destination.destroyed) return;
    if (destination.writableEnded) {
      destination.destroy();
      return;
    }
    destination.end(() => destination.destroy());
  }

  private settle(byteCount: number): void {
    this.inFlightBytes -= byteCount;
    this.applyBackpressure();
  }

  private applyBackpressure(): void {
    const shouldPause = this.inFlightBytes > HIGH_WATER_BYTES || this.destination.writableNeedDrain;
    if (shouldPause && !this.pausedByUs) {
      this.pausedByUs = true;
      this.source.pause();
    } else if (!shouldPause && this.pausedByUs) {
      this.pausedByUs = false;
      this.source.resume();
    }
  }
}

export interface ToxicChains {
  chain(stream: Stream): readonly ToxicConfig[];
}

/** Bytes a direction read from its source and wrote to its destination. */
export interface LinkBytes {
  receivedBytes: number;
  sentBytes: number;
}

/** A client socket joined to its upstream socket by one toxic link per direction. */
export class Connection {
  readonly links: Readonly<Record<Stream, ToxicLink>>;
  private readonly pipes: Readonly<Record<Stream, Pipe>>;
  private openSockets = 2;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    toxics: ToxicChains,
    random: () => number,
    onClosed: (connection: Connection) => void,
  ) {
    const reset = (): void => this.reset();
    this.pipes = {
      upstream: new Pipe(client, upstream, toxics.chain('upstream'), reset, random),
      downstream: new Pipe(upstream, client, toxics.chain('downstream'), reset, random),
    };
    this.links = { upstream: this.pipes.upstream.link, downstream: this.pipes.downstream.link };
    for (const socket of [client, upstream]) {
      socket.once('close', () => {
        this.openSockets -= 1;
        if (this.openSockets > 0) return;
        this.links.upstream.dispose();
        this.links.downstream.dispose();
        onClosed(this);
      });
    }
  }

  bytes(stream: Stream): LinkBytes {
    const { receivedBytes, sentBytes } = this.pipes[stream];
    return { receivedBytes, sentBytes };
  }

  /** Abort with RST on both sides, as Toxiproxy's reset_peer does with SO_LINGER 0. */
  reset(): void {
    for (const socket of [this.client, this.upstream]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
  }
}
