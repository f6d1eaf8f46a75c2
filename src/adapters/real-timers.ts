// The machine's named timers on the monotonic clock: one per name, and arming a name again
// replaces it, as the effects in src/machine/effects.ts require. Each tells its *_DUE event.
import type { HostTimers, Tell } from '../driver/host.js';
import { TIMER_DUE_EVENTS, type TimerName } from '../machine/events.js';
import { RealTimer } from './clock.js';

export class RealTimers implements HostTimers {
  private readonly timers = new Map<TimerName, RealTimer>();

  constructor(private readonly tell: Tell) {}

  armTimer(timer: TimerName, dueMs: number): void {
    let real = this.timers.get(timer);
    if (!real) {
      real = new RealTimer(() => this.tell({ type: TIMER_DUE_EVENTS[timer] }));
      this.timers.set(timer, real);
    }
    real.armAt(dueMs);
  }

  cancelTimer(timer: TimerName): void {
    this.timers.get(timer)?.cancel();
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) timer.cancel();
  }
}
