// The clock of one chaos run and its one way to stop early: every time a run records is ms since
// its setup began, and every wait ends in ChaosAbortedError as soon as the run's signal fires
// (Ctrl-C), so an interrupted run goes straight to its teardown.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleepAbortable } from 'node:timers/promises';

/** the longest delay a Node timer keeps */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ChaosAbortedError extends Error {
  override name = 'ChaosAbortedError';
}

export class RunClock {
  private readonly originMs = performance.now();

  constructor(private readonly signal?: AbortSignal) {}

  /** ms since the run began. A bound function: supervisors and canaries stamp with it. */
  readonly now = (): number => Math.round(performance.now() - this.originMs);

  /** Between setup steps: an interrupted run starts nothing more. */
  checkAbort(): void {
    if (this.signal?.aborted) throw new ChaosAbortedError('interrupted');
  }

  /** Waits `ms` however long: Node fires a timer of 2^31 ms or more after 1 ms, so a long wait goes in steps. */
  async sleep(ms: number): Promise<void> {
    const dueMs = performance.now() + Math.max(0, ms);
    try {
      for (let leftMs = Math.max(0, ms); ; leftMs = dueMs - performance.now()) {
        await sleepAbortable(Math.min(Math.max(0, Math.ceil(leftMs)), MAX_TIMER_MS), undefined, { signal: this.signal });
        if (leftMs <= MAX_TIMER_MS) return;
      }
    } catch {
      throw new ChaosAbortedError('interrupted');
    }
  }
}
