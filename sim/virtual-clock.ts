// A virtual clock: callbacks ordered by (due time, scheduling order), so a run is a pure
// function of its inputs. A binary heap keeps 10,000 tunnels' timers cheap.
export type TimerId = number;

interface Entry {
  dueMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class VirtualClock {
  private heap: Entry[] = [];
  private byId = new Map<TimerId, Entry>();
  private seq = 0;
  private current = 0;
  /** how many callbacks ran: a bound for runaway simulations */
  fired = 0;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Schedule at an absolute time; a time in the past runs at the current time, in order. */
  at(dueMs: number, fn: () => void): TimerId {
    const entry: Entry = { dueMs: Math.max(dueMs, this.current), seq: ++this.seq, fn, cancelled: false };
    this.push(entry);
    this.byId.set(entry.seq, entry);
    return entry.seq;
  }

  after(delayMs: number, fn: () => void): TimerId {
    return this.at(this.current + delayMs, fn);
  }

  cancel(id: TimerId): void {
    const entry = this.byId.get(id);
    if (entry) {
      entry.cancelled = true;
      this.byId.delete(id);
    }
  }

  pending(): number {
    return this.byId.size;
  }

  /**
   * Run callbacks due up to and including `limitMs`; the clock ends at limitMs (or stays, if
   * earlier). `maxCallbacks` is required: a runaway simulation stops with an error naming it.
   */
  runUntil(limitMs: number, maxCallbacks: number): void {
    let budget = maxCallbacks;
    while (this.heap.length > 0 && this.heap[0]!.dueMs <= limitMs) {
      const entry = this.pop()!;
      if (entry.cancelled) continue;
      this.byId.delete(entry.seq);
      this.current = entry.dueMs;
      this.fired++;
      entry.fn();
      if (--budget <= 0) throw new Error(`virtual clock: more than ${maxCallbacks} callbacks before ${limitMs} ms`);
    }
    if (limitMs > this.current && Number.isFinite(limitMs)) this.current = limitMs;
  }

  /**
   * Run at most `count` callbacks due up to and including `limitMs`: a long run in slices, with
   * room between them (to yield to the event loop, to check a bound). True when none due by
   * limitMs is left; the clock is then at limitMs, as after runUntil.
   */
  runSome(limitMs: number, count: number): boolean {
    for (let ran = 0; ran < count; ) {
      const head = this.heap[0];
      if (head === undefined || head.dueMs > limitMs) {
        if (limitMs > this.current && Number.isFinite(limitMs)) this.current = limitMs;
        return true;
      }
      const entry = this.pop()!;
      if (entry.cancelled) continue;
      this.byId.delete(entry.seq);
      this.current = entry.dueMs;
      this.fired++;
      ran++;
      entry.fn();
    }
    const head = this.nextDueMs();
    if (head === null || head > limitMs) {
      if (limitMs > this.current && Number.isFinite(limitMs)) this.current = limitMs;
      return true;
    }
    return false;
  }

  /** Time of the next live callback, or null. */
  nextDueMs(): number | null {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap.length > 0 ? this.heap[0]!.dueMs : null;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
