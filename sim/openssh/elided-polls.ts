// The healthy-poll shortcut: when a connection test is due and the world knows it would pass,
// the world skips the machine's round trip and remembers the chain of passing tests instead.
// Each would pass after one round trip, and the machine would arm the next POLL seconds later,
// so the k-th link is due at phaseMs + k * periodMs. When the world changes, the chain ends at
// its next link, which then runs for real. Exact: same decisions at the same times.
export class ElidedPolls {
  /** the first skipped test's due time; -1: no chain */
  private phaseMs = -1;
  private periodMs = 0;

  get active(): boolean {
    return this.phaseMs >= 0;
  }

  begin(dueMs: number, periodMs: number): void {
    this.phaseMs = dueMs;
    this.periodMs = periodMs;
  }

  /** End the chain: when its next link is due (at or after nowMs), or null without a chain. */
  end(nowMs: number): number | null {
    if (this.phaseMs < 0) return null;
    const links = Math.ceil((nowMs - this.phaseMs) / this.periodMs);
    const dueMs = this.phaseMs + links * this.periodMs;
    this.phaseMs = -1;
    return dueMs;
  }

  /** The machine cancelled its poll: the chain is gone with it. */
  drop(): void {
    this.phaseMs = -1;
  }
}
