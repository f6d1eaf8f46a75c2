import { DelayQueue } from './delay-queue.js';
import type { Attributes, StageOutput, ToxicStage } from './toxic.js';

/**
 * A stage that holds bytes back in a DelayQueue (latency, bandwidth, slicer): each decides only
 * when its bytes leave. The rest is the queue's: the input's end leaves after what it holds, a
 * removed toxic hands everything over now, a closed connection stops its timer.
 */
export abstract class QueuedStage<Name extends string> implements ToxicStage {
  protected readonly queue: DelayQueue;

  constructor(
    protected readonly attributes: Attributes<Name>,
    output: StageOutput,
  ) {
    this.queue = new DelayQueue(output);
  }

  abstract write(chunk: Buffer): void;

  end(): void {
    this.queue.enqueueEnd();
  }

  interrupt(): void {
    this.queue.flush();
  }

  dispose(): void {
    this.queue.dispose();
  }
}
