// Real timers on the monotonic clock. Node turns delays >= 2^31 ms into 1 ms, so a long wait
// (a MAXLIFETIME of months) is chained in steps.
import { performance } from 'node:perf_hooks';

const MAX_TIMER_MS = 2 ** 31 - 1;

export function monotonicMs(): number {
  return performance.now();
}

export class RealTimer {
  private handle: NodeJS.Timeout | null = null;

  constructor(private readonly fire: () => void) {}

  armAt(dueMs: number): void {
    this.cancel();
    const step = (): void => {
      const remainingMs = dueMs - monotonicMs();
      if (remainingMs <= 0) {
        this.handle = null;
        this.fire();
        return;
      }
      this.handle = setTimeout(step, Math.min(Math.ceil(remainingMs), MAX_TIMER_MS));
    };
    step();
  }

  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
  }
}
