// The fleet's busiest second: how many ssh restarts hit the server in any one second of the
// run. A correlated fault (a relay restart) cuts many tunnels at once, and without
// AUTOSSH_JITTER they all reconnect in step: this is the figure the jitter (D12) lowers. Each
// tunnel's first start is not counted: a simulated fleet starts every tunnel at 0, which says
// nothing about reconnects. One observer for the whole fleet; starts arrive in clock order, so
// a queue of the last second's starts is enough.
import type { WorldObserver } from '../openssh/openssh-world.js';

const WINDOW_MS = 1000;
/** drop the queue's spent head once it is this long (and more than half the queue) */
const COMPACT_AT = 4096;

export class PeakStartRate implements WorldObserver {
  /** start times of the last second, oldest first, from `head` on */
  private times: number[] = [];
  private head = 0;
  /** the most restarts in any window [t, t + 1 s) */
  peakPerSecond = 0;
  /** when that busiest window began (its first start) */
  peakAtMs = 0;

  sshStarted(n: number, atMs: number): void {
    if (n === 1) return;
    this.times.push(atMs);
    while (this.times[this.head]! <= atMs - WINDOW_MS) this.head++;
    const inWindow = this.times.length - this.head;
    if (inWindow > this.peakPerSecond) {
      this.peakPerSecond = inWindow;
      this.peakAtMs = this.times[this.head]!;
    }
    if (this.head >= COMPACT_AT && this.head * 2 >= this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Restarts per millisecond, run-length encoded (times ascending): what a shard of the fleet
 * records so that shards' counts can be added and the busiest second found over the whole
 * fleet, exactly as PeakStartRate would have found it in one run.
 */
export class StartCounts implements WorldObserver {
  private ms: Float64Array = new Float64Array(1024);
  /** 12 bytes a distinct ms: a 30-day fleet keeps every restart's time */
  private counts: Uint32Array = new Uint32Array(1024);
  length = 0;

  sshStarted(n: number, atMs: number): void {
    if (n === 1) return;
    if (this.length > 0 && this.ms[this.length - 1] === atMs) {
      this.counts[this.length - 1]!++;
      return;
    }
    if (this.length === this.ms.length) {
      this.ms = grow(this.ms);
      this.counts = growCounts(this.counts);
    }
    this.ms[this.length] = atMs;
    this.counts[this.length] = 1;
    this.length++;
  }

  /** [times, counts], trimmed */
  finish(): RestartCounts {
    return [this.ms.slice(0, this.length), this.counts.slice(0, this.length)];
  }
}

function growCounts(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** restart times (ms, ascending) and how many restarts at each */
export type RestartCounts = [Float64Array, Uint32Array];

/** Two run-length lists of restarts added: times ascending, equal times summed. */
export function addStartCounts(a: RestartCounts, b: RestartCounts): RestartCounts {
  const [am, ac] = a;
  const [bm, bc] = b;
  const ms = new Float64Array(am.length + bm.length);
  const counts = new Uint32Array(am.length + bm.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < am.length || j < bm.length) {
    if (j >= bm.length || (i < am.length && am[i]! < bm[j]!)) {
      ms[k] = am[i]!; counts[k++] = ac[i++]!;
    } else if (i >= am.length || bm[j]! < am[i]!) {
      ms[k] = bm[j]!; counts[k++] = bc[j++]!;
    } else {
      ms[k] = am[i]!; counts[k++] = ac[i++]! + bc[j++]!;
    }
  }
  return [ms.slice(0, k), counts.slice(0, k)];
}

/**
 * The busiest window [t, t + 1 s) of a run-length list, and its first start: the figures
 * PeakStartRate gives when fed the same starts one by one (the earliest such window).
 */
export function peakOfStartCounts([ms, counts]: RestartCounts): { peakPerSecond: number; peakAtMs: number } {
  let peakPerSecond = 0;
  let peakAtMs = 0;
  let head = 0;
  let inWindow = 0;
  for (let i = 0; i < ms.length; i++) {
    inWindow += counts[i]!;
    while (ms[head]! <= ms[i]! - WINDOW_MS) inWindow -= counts[head++]!;
    if (inWindow > peakPerSecond) {
      peakPerSecond = inWindow;
      peakAtMs = ms[head]!;
    }
  }
  return { peakPerSecond, peakAtMs };
}
