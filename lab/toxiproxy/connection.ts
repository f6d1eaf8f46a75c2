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
  private inFlightBytes = 0;
  private pausedByUs = false;

  constructor(
    private readonly source: Socket,
    private readonly destination: Socket,
    chain: readonly ToxicConfig[],
    reset: () => void,
  ) {
    this.link = new ToxicLink(
      {
        deliver: (chunk) => this.deliver(chunk),
        finish: () => this.finish(),
        reset,
        discarded: (byteCount) => this.settle(byteCount),
      },
      chain,
    );
    source.on('data', (chunk: Buffer) => {
      this.inFlightBytes += chunk.length;
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

/** A client socket joined to its upstream socket by one toxic link per direction. */
export class Connection {
  readonly links: Readonly<Record<Stream, ToxicLink>>;
  private openSockets = 2;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    toxics: ToxicChains,
    onClosed: (connection: Connection) => void,
  ) {
    const reset = (): void => this.reset();
    this.links = {
      upstream: new Pipe(client, upstream, toxics.chain('upstream'), reset).link,
      downstream: new Pipe(upstream, client, toxics.chain('downstream'), reset).link,
    };
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

  /** Abort with RST on both sides, as Toxiproxy's reset_peer does with SO_LINGER 0. */
  reset(): void {
    for (const socket of [this.client, this.upstream]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
  }
}
