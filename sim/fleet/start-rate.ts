// The fleet's busiest second: how many ssh restarts hit the server in any one second of the
// run. A correlated fault (a relay restart) cuts many tunnels at once, and without
// AUTOSSH_JITTER they all reconnect in step: this is the figure the jitter (D12) lowers. Each
// tunnel's first start is not counted: a simulated fleet starts every tunnel at 0, which says
// nothing about reconnects. PeakStartRate is the definition, fed one start at a time in clock
// order; a fleet run in slices (threads, machines) records StartCounts per slice instead, adds
// them (addStartCounts) and scans the sum (peakOfStartCounts) to the same figures.
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
 * Restarts per millisecond, what a slice of the fleet records so that slices' counts can be
 * added and the busiest second found over the whole fleet, exactly as PeakStartRate would
 * have found it in one run. Kept compact while the slice runs (a 30-day fleet keeps every
 * restart's time): LEB128 varints of (ms since the previous restart, restarts in that ms),
 * about 3 bytes a distinct ms; decoded once the tunnels are gone.
 */
export class StartCounts implements WorldObserver {
  private bytes = new Uint8Array(4096);
  private used = 0;
  /** distinct ms recorded, the pending one aside */
  private entries = 0;
  private lastMs = 0;
  private pendingMs = -1;
  private pendingCount = 0;

  sshStarted(n: number, atMs: number): void {
    if (n === 1) return;
    if (atMs === this.pendingMs) {
      this.pendingCount++;
      return;
    }
    if (!Number.isInteger(atMs) || atMs < this.pendingMs) throw new Error(`restart counts: time ${atMs} ms is not a whole ms after ${this.pendingMs}`);
    this.flush();
    this.pendingMs = atMs;
    this.pendingCount = 1;
  }

  /** [times, counts], decoded */
  finish(): RestartCounts {
    this.flush();
    const ms = new Float64Array(this.entries);
    const counts = new Uint32Array(this.entries);
    let at = 0;
    let t = 0;
    const read = (): number => {
      let value = 0;
      let scale = 1;
      for (;;) {
        const b = this.bytes[at++]!;
        value += (b & 0x7f) * scale;
        if (b < 0x80) return value;
        scale *= 128;
      }
    };
    for (let i = 0; i < this.entries; i++) {
      t += read();
      ms[i] = t;
      counts[i] = read();
    }
    return [ms, counts];
  }

  private flush(): void {
    if (this.pendingCount === 0) return;
    this.write(this.pendingMs - this.lastMs);
    this.write(this.pendingCount);
    this.lastMs = this.pendingMs;
    this.entries++;
    this.pendingCount = 0;
  }

  /** an unsigned varint; whole numbers past 2^32 too (400 days of ms) */
  private write(value: number): void {
    if (this.used + 8 > this.bytes.length) {
      const bigger = new Uint8Array(Math.ceil(this.bytes.length * 1.5));
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.used++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.used++] = v;
  }
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
