import { monotonicMs, RealTimer } from '../../src/adapters/clock.js';

const END = Symbol('end');
type Item = Buffer | typeof END;

export interface DelayQueueSink {
  push(chunk: Buffer): void;
  end(): void;
}

/**
 * A FIFO that releases each item at its own time, never before the item ahead of it: the
 * shape of every Toxiproxy toxic that sleeps between reads (latency, bandwidth, slicer).
 * Times are `performance.now()` milliseconds, fractional, because slicer works in microseconds.
 * Its timer is chained (RealTimer): a latency of months waits, instead of firing at once and
 * spinning as a bare setTimeout over 2^31-1 ms would.
 */
export class DelayQueue {
  private readonly items: { item: Item; releaseAtMs: number }[] = [];
  private readonly timer = new RealTimer(() => this.pump());
  private timerArmed = false;
  /** When the last queued item leaves; the earliest the next one may. */
  private cursorMs = 0;

  constructor(private readonly sink: DelayQueueSink) {}

  nowMs(): number {
    return monotonicMs();
  }

  /** The time the next item could leave if it asked for no delay of its own. */
  nextFreeMs(): number {
    return Math.max(this.nowMs(), this.cursorMs);
  }

  enqueue(chunk: Buffer, releaseAtMs: number): void {
    this.add(chunk, releaseAtMs);
  }

  /** The end leaves right after the data queued before it, with no delay of its own. */
  enqueueEnd(): void {
    this.add(END, this.nextFreeMs());
  }

  /** Nothing queued after this call leaves before `atMs`: a pause that follows the last item. */
  reserveUntil(atMs: number): void {
    this.cursorMs = Math.max(this.cursorMs, atMs);
  }

  /** Release everything now, in order. */
  flush(): void {
    this.cancelTimer();
    const items = this.items.splice(0);
    this.cursorMs = 0;
    for (const { item } of items) this.emit(item);
  }

  dispose(): void {
    this.cancelTimer();
    this.items.length = 0;
  }

  private add(item: Item, releaseAtMs: number): void {
    const at = Math.max(releaseAtMs, this.cursorMs);
    this.cursorMs = at;
    this.items.push({ item, releaseAtMs: at });
    if (!this.timerArmed) this.pump();
  }

  private pump(): void {
    this.timerArmed = false;
    // Sub-millisecond waits cannot be timed by setTimeout; release them now rather than late.
    const horizonMs = this.nowMs() + 0.5;
    while (this.items.length > 0 && this.items[0]!.releaseAtMs <= horizonMs) {
      this.emit(this.items.shift()!.item);
    }
    const next = this.items[0];
    if (next !== undefined) {
      this.timerArmed = true;
      this.timer.armAt(next.releaseAtMs);
    }
  }

  private emit(item: Item): void {
    if (item === END) this.sink.end();
    else this.sink.push(item);
  }

  private cancelTimer(): void {
    this.timer.cancel();
    this.timerArmed = false;
  }
}
