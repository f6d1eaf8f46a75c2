// What must hold in every run, real or simulated, asserted where the effects pass (TigerBeetle's
// way): the driver checks each effect against what it has seen before applying it. A broken
// invariant is a bug in the machine: the effect is not applied, and the run stops loudly.
import type { Config } from '../machine/config/types.js';
import { MAX_RETRY_SECONDS } from '../machine/decisions/forward-retry.js';
import type { Effect } from '../machine/effects.js';
import type { MachineEvent } from '../machine/events.js';

export class InvariantBroken extends Error {
  override readonly name = 'InvariantBroken';
}

export class SupervisorInvariants {
  /** from a spawnSsh until the world reports that ssh's end (or its failure to start) */
  private sshAlive = false;
  private exited = false;

  /** the longest wait before a start: POLL (or the forward-retry schedule's cap), plus any jitter */
  private readonly maxWaitMs: number;

  constructor(private readonly config: Config) {
    const longestRuleSeconds = Math.max(config.pollSeconds, config.forwardCheck ? MAX_RETRY_SECONDS : 0);
    this.maxWaitMs = (longestRuleSeconds + config.jitterSeconds) * 1000;
  }

  /** Seen by the machine: keeps the driver's view of the world current. */
  noteEvent(event: MachineEvent): void {
    if (event.type === 'SSH_EXITED' || event.type === 'SSH_SPAWN_FAILED') this.sshAlive = false;
  }

  /** Continuing a persisted run: whether its ssh was running when the snapshot was taken. */
  resumeWith(sshAlive: boolean): void {
    this.sshAlive = sshAlive;
  }

  /** The broken invariant, or null; a passing effect updates the view. */
  check(effect: Effect, nowMs: number): string | null {
    if (this.exited) return `${effect.type} after the exit decision`;
    switch (effect.type) {
      case 'spawnSsh': {
        if (this.sshAlive) return `ssh start ${effect.n} while another ssh is alive: one ssh at a time`;
        const { maxStart } = this.config;
        if (maxStart >= 0 && effect.n > maxStart) return `ssh start ${effect.n} beyond AUTOSSH_MAXSTART=${maxStart}`;
        this.sshAlive = true;
        return null;
      }
      case 'armTimer': {
        const waitMs = effect.dueMs - nowMs;
        if (effect.timer === 'backoff' && waitMs > this.maxWaitMs) {
          return `a backoff wait of ${waitMs} ms, longer than POLL=${this.config.pollSeconds} s allows`;
        }
        return null;
      }
      case 'runProbe':
        return effect.netTimeoutMs > 0 ? null : 'a connection test with no time limit';
      case 'exit':
        if (this.sshAlive) return `exit ${effect.code} while ssh is alive`;
        this.exited = true;
        return null;
      default:
        return null;
    }
  }
}
