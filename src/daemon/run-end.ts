// Why a run of a tunnel's machine ended, read from what the run did: the rule of its last
// decision (maxStart, maxLifetime, status0, ...), the last news its host told (ssh could not be
// executed) and whether it ever got going. It only watches; the restart policy reads the answer.
import type { Effect } from '../machine/effects.js';
import type { WorldEvent } from '../machine/events.js';
import type { RunEndReason } from './restart-policy.js';

export class RunEndWatch {
  private lastRule: string | null = null;
  private lastNews: WorldEvent['type'] | null = null;
  private began = false;

  /** every effect the run's supervisor applied */
  observe(effect: Effect): void {
    // the machine says nothing before START: a run that never got there made no effect
    this.began = true;
    if (effect.type === 'decision') this.lastRule = effect.rule;
  }

  /** every piece of news its host told */
  heard(event: WorldEvent): void {
    this.lastNews = event.type;
  }

  /** The reason of an end with this exit code, nobody having stopped the run. */
  reasonOf(code: number): RunEndReason {
    // its monitor listener could not be bound: the machine never started
    if (!this.began) return 'start_failed';
    if (code === 0) {
      if (this.lastRule === 'maxStart') return 'max_start';
      if (this.lastRule === 'maxLifetime') return 'lifetime';
      return 'exited_ok';
    }
    if (this.lastNews === 'SSH_SPAWN_FAILED') return 'spawn_failed';
    return 'exited_error';
  }
}
