// The machine's timers (backoff, poll, lifetime, kill) on a virtual clock: one per name, and
// arming a name again replaces it, as the effects in src/machine/effects.ts require.
import type { TimerName } from '../src/machine/events.js';
import type { TimerId, VirtualClock } from './virtual-clock.js';

export class NamedTimers {
  private readonly ids = new Map<TimerName, TimerId>();

  constructor(private readonly clock: VirtualClock, private readonly fire: (timer: TimerName) => void) {}

  arm(timer: TimerName, dueMs: number): void {
    this.cancel(timer);
    this.ids.set(timer, this.clock.at(dueMs, () => {
      this.ids.delete(timer);
      this.fire(timer);
    }));
  }

  cancel(timer: TimerName): void {
    const id = this.ids.get(timer);
    if (id !== undefined) this.clock.cancel(id);
    this.ids.delete(timer);
  }

  cancelAll(): void {
    for (const id of this.ids.values()) this.clock.cancel(id);
    this.ids.clear();
  }

  get size(): number {
    return this.ids.size;
  }
}
