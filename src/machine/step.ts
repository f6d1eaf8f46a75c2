// How the rules write a step. An action's context changes are gathered and applied in one
// `assign` at its end (each assign copies the whole context); its effects are emitted in the
// order it says them, which is the order the driver applies them in.
import { emit, enqueueActions, type ParameterizedObject } from 'xstate';
import type { AfterStop, MachineContext } from './context.js';
import type { Effect } from './effects.js';
import type { MachineEvent, TimerName } from './events.js';
import type { DecisionText } from './messages.js';

type Params = ParameterizedObject['params'] | undefined;

/** What a guard is given: the context before the step, and the event. */
export interface GuardArgs {
  context: MachineContext;
  event: MachineEvent;
}

interface Enqueuer {
  assign(changes: Partial<MachineContext>): void;
  emit(effect: Effect): void;
}

export class Step {
  private changes: Partial<MachineContext> | null = null;
  private timers: Partial<Record<TimerName, number>>;
  private timersChanged = false;

  constructor(private readonly enqueue: Enqueuer, readonly context: MachineContext, readonly event: MachineEvent) {
    this.timers = context.timers;
  }

  /** takes the object: pass a fresh one (a literal), never one that is kept */
  set(changes: Partial<MachineContext>): void {
    if (this.changes === null) this.changes = changes;
    else Object.assign(this.changes, changes);
  }

  emit(effect: Effect): void {
    this.enqueue.emit(effect);
  }

  log(level: number, message: string): void {
    this.enqueue.emit({ type: 'log', level, message });
  }

  decide(decision: DecisionText): void {
    this.enqueue.emit({ type: 'decision', rule: decision.rule, detail: decision.detail });
  }

  arm(timer: TimerName, dueMs: number): void {
    this.timers = { ...this.timers, [timer]: dueMs };
    this.timersChanged = true;
    this.enqueue.emit({ type: 'armTimer', timer, dueMs });
  }

  /** said only for a timer that is armed */
  cancel(timer: TimerName): void {
    if (this.timers[timer] === undefined) return;
    const { [timer]: _dropped, ...rest } = this.timers;
    this.timers = rest;
    this.timersChanged = true;
    this.enqueue.emit({ type: 'cancelTimer', timer });
  }

  /** SIGTERM to ssh; with AUTOSSH_KILLTIME, SIGKILL later (D4). Any stop but a forward failure's ends a run of them (D10). */
  stop(afterStop: AfterStop): void {
    this.set({ afterStop, forwardFailures: 0 });
    this.emit({ type: 'signalSsh', signal: 'SIGTERM' });
    const { killSeconds } = this.context.config;
    if (killSeconds > 0) this.arm('kill', this.event.atMs + killSeconds * 1000);
  }

  /** the end: every timer cancelled, then the exit status */
  finish(code: number): void {
    for (const timer of Object.keys(this.context.timers) as TimerName[]) this.cancel(timer);
    this.set({ exitCode: code });
    this.emit({ type: 'exit', code });
  }

  /** one assign for everything the action changed */
  flush(): void {
    if (this.timersChanged) this.set({ timers: this.timers });
    if (this.changes !== null) this.enqueue.assign(this.changes);
  }
}

/** An action written as a step (see Step). */
export function stepAction<P extends Params = undefined>(write: (step: Step, params: P) => void) {
  return enqueueActions<MachineContext, MachineEvent, P, MachineEvent, never, never, never, never, Effect>(({ enqueue, context, event }, params) => {
    const step = new Step(enqueue as unknown as Enqueuer, context, event);
    write(step, params);
    step.flush();
  });
}

/** An action that is one effect, always: no step to gather. */
export function effectAction(effectOf: (args: GuardArgs) => Effect) {
  return emit<MachineContext, MachineEvent, undefined, MachineEvent, Effect>(effectOf);
}
