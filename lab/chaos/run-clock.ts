// The clock of one chaos run and its one way to stop early: every time a run records is ms since
// its setup began, and every wait ends in ChaosAbortedError as soon as the run's signal fires
// (Ctrl-C), so an interrupted run goes straight to its teardown.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleepAbortable } from 'node:timers/promises';

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

  async sleep(ms: number): Promise<void> {
    try {
      await sleepAbortable(Math.max(0, ms), undefined, { signal: this.signal });
    } catch {
      throw new ChaosAbortedError('interrupted');
    }
  }
}
