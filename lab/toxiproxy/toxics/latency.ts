import { QueuedStage } from '../queued-stage.js';
import type { ToxicKind } from '../toxic.js';

type Name = 'latency' | 'jitter';

/** Delays every chunk by `latency` ± `jitter` ms; order is kept, so jitter never reorders bytes. */
class LatencyStage extends QueuedStage<Name> {
  write(chunk: Buffer): void {
    this.queue.enqueue(chunk, this.queue.nowMs() + this.delayMs());
  }

  private delayMs(): number {
    const { latency: latencyMs, jitter: jitterMs } = this.attributes;
    if (jitterMs <= 0) return latencyMs;
    // Toxiproxy: latency + rand[-jitter, jitter), integer milliseconds.
    return latencyMs + Math.floor(Math.random() * 2 * jitterMs) - jitterMs;
  }
}

export const latency: ToxicKind<Name> = {
  type: 'latency',
  goStruct: 'LatencyToxic',
  attributeNames: ['latency', 'jitter'],
  createStage: (attributes, output) => new LatencyStage(attributes, output),
};
