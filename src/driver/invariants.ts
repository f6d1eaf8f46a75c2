// What must hold in every run, real or simulated, asserted where the effects pass (TigerBeetle's
// way). A broken invariant is a bug in the machine. The driver checks every effect of a step
// before it applies any (checkStep): a step that breaks one is applied not at all, and the
// driver then throws (simulations, tests) or ends only this supervisor, loudly (production;
// see ./supervisor.ts).
import type { Config } from '../machine/config/types.js';
import { MAX_RETRY_SECONDS } from '../machine/decisions/forward-retry.js';
import type { Effect } from '../machine/effects.js';
import type { MachineEvent } from '../machine/events.js';

export class InvariantBroken extends Error {
  override readonly name = 'InvariantBroken';
}

/** The invariants, by the name a log line gives them. */
export const INVARIANTS = [
  'one ssh at a time',
  'starts within AUTOSSH_MAXSTART',
  'a backoff wait within POLL',
  'a connection test within the net timeout',
  'no exit while ssh is alive',
  'nothing after the exit',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** Which invariant a step broke, and how. */
export interface Breach {
  invariant: InvariantName;
  detail: string;
}

/** What the driver has seen of the world; a step's effects move it only once all of them passed. */
interface View {
  /** from a spawnSsh until the world reports that ssh's end (or its failure to start) */
  sshAlive: boolean;
  exited: boolean;
}

export class SupervisorInvariants {
  private readonly view: View = { sshAlive: false, exited: false };
  /** the view a step is checked on, copied back once the whole step passed (no allocation per step) */
  private readonly trial: View = { sshAlive: false, exited: false };

  /** the longest wait before a start: POLL (or the forward-retry schedule's cap), plus any jitter */
  private readonly maxWaitMs: number;

  constructor(private readonly config: Config) {
    const longestRuleSeconds = Math.max(config.pollSeconds, config.forwardCheck ? MAX_RETRY_SECONDS : 0);
    this.maxWaitMs = (longestRuleSeconds + config.jitterSeconds) * 1000;
  }

  /** Whether an ssh started by this run has not been reported gone (the one to stop at the end). */
  get sshAlive(): boolean {
    return this.view.sshAlive;
  }

  /** Seen by the machine: keeps the driver's view of the world current. */
  noteEvent(event: MachineEvent): void {
    if (event.type === 'SSH_EXITED' || event.type === 'SSH_SPAWN_FAILED') this.view.sshAlive = false;
  }

  /** Continuing a persisted run: whether its ssh was running when the snapshot was taken. */
  resumeWith(sshAlive: boolean): void {
    this.view.sshAlive = sshAlive;
  }

  /**
   * The first invariant a step's effects break, in their order, or null. Only a step that
   * breaks none moves the view: a refused step leaves it as it was before the step.
   */
  checkStep(effects: readonly Effect[], nowMs: number): Breach | null {
    const { view, trial } = this;
    trial.sshAlive = view.sshAlive;
    trial.exited = view.exited;
    for (const effect of effects) {
      const breach = this.check(trial, effect, nowMs);
      if (breach !== null) return breach;
    }
    view.sshAlive = trial.sshAlive;
    view.exited = trial.exited;
    return null;
  }

  private check(view: View, effect: Effect, nowMs: number): Breach | null {
    if (view.exited) return { invariant: 'nothing after the exit', detail: `${effect.type} after the exit decision` };
    switch (effect.type) {
      case 'spawnSsh': {
        if (view.sshAlive) return { invariant: 'one ssh at a time', detail: `ssh start ${effect.n} while another ssh is alive` };
        const { maxStart } = this.config;
        if (maxStart >= 0 && effect.n > maxStart) {
          return { invariant: 'starts within AUTOSSH_MAXSTART', detail: `ssh start ${effect.n} beyond AUTOSSH_MAXSTART=${maxStart}` };
        }
        view.sshAlive = true;
        return null;
      }
      case 'armTimer': {
        const waitMs = effect.dueMs - nowMs;
        if (effect.timer === 'backoff' && waitMs > this.maxWaitMs) {
          return { invariant: 'a backoff wait within POLL', detail: `a backoff wait of ${waitMs} ms, longer than POLL=${this.config.pollSeconds} s allows` };
        }
        return null;
      }
      case 'runProbe': {
        // the config's net timeout is what a test may take (it fits in half a POLL)
        const { netTimeoutMs } = effect;
        if (netTimeoutMs > 0 && netTimeoutMs <= this.config.netTimeoutMs) return null;
        const detail = netTimeoutMs > 0
          ? `a connection test with a time limit of ${netTimeoutMs} ms, longer than the net timeout of ${this.config.netTimeoutMs} ms`
          : 'a connection test with no time limit';
        return { invariant: 'a connection test within the net timeout', detail };
      }
      case 'exit':
        if (view.sshAlive) return { invariant: 'no exit while ssh is alive', detail: `exit ${effect.code} while ssh is alive` };
        view.exited = true;
        return null;
      default:
        return null;
    }
  }
}
