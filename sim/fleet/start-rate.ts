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
