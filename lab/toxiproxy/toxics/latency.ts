import { DelayQueue } from '../delay-queue.js';
import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'latency' | 'jitter';

/** Delays every chunk by `latency` ± `jitter` ms; order is kept, so jitter never reorders bytes. */
class LatencyStage implements ToxicStage {
  private readonly queue: DelayQueue;

  constructor(
    private readonly attributes: Attributes<Name>,
    output: StageOutput,
  ) {
    this.queue = new DelayQueue(output);
  }

  write(chunk: Buffer): void {
    this.queue.enqueue(chunk, this.queue.nowMs() + this.delayMs());
  }

  end(): void {
    this.queue.enqueueEnd();
  }

  interrupt(): void {
    this.queue.flush();
  }

  dispose(): void {
    this.queue.dispose();
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
