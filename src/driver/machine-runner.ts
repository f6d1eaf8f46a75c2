// How a Supervisor runs the machine. The definition is always autosshMachine; what differs is
// how much each running copy costs.
// - runAsActor: an xstate actor per supervisor, the usual way (the CLI, one-tunnel simulations).
// - FleetScope: the simulator's fleets. An actor weighs about 4 KB of heap (its own actor system,
//   mailbox, listener maps and closures) and a fleet tunnel needs only its snapshot, so a fleet
//   keeps one snapshot per tunnel and steps it through the machine's own transition function
//   with one actor scope shared by every tunnel. It is what xstate's pure `transition()` does,
//   minus the actor and the two systems that function builds on every call.
// test/machine/runners.test.ts holds both to the same steps for random worlds.
import { createActor, createMachine, type ActorScope, type Snapshot, type SnapshotFrom } from 'xstate';
import { autosshMachine, type MachineInput } from '../machine/autossh-machine.js';
import type { Effect } from '../machine/effects.js';
import type { MachineEvent } from '../machine/events.js';

export type AutosshSnapshot = SnapshotFrom<typeof autosshMachine>;

export interface MachineRunner {
  /**
   * One event, one whole step; its effects come out after the step, as an actor emits them, and
   * before send returns: the Supervisor collects them and applies them only once all of them
   * passed the invariants (./supervisor.ts).
   */
  send(event: MachineEvent): void;
  getSnapshot(): AutosshSnapshot;
  getPersistedSnapshot(): Snapshot<unknown>;
}

export interface RunnerCallbacks {
  onEffect(effect: Effect): void;
  /** an action or guard threw: the machine is in error and takes no more events */
  onError(error: unknown): void;
}

/** Start the machine, afresh from its input or from a persisted snapshot (no effects then). */
export type RunMachine = (input: MachineInput, persisted: Snapshot<unknown> | undefined, callbacks: RunnerCallbacks) => MachineRunner;

export const runAsActor: RunMachine = (input, persisted, callbacks) => {
  const actor = createActor(autosshMachine, { input, ...(persisted ? { snapshot: persisted as never } : {}) });
  actor.on('*', (effect) => callbacks.onEffect(effect as Effect));
  actor.subscribe({ error: (error) => callbacks.onError(error) });
  actor.start();
  return actor;
};

/** Events sent from inside one step, waiting for it: a handful in practice. */
const MAX_MAILBOX_EVENTS = 10_000;

type Scope = ActorScope<AutosshSnapshot, MachineEvent, never, Effect>;

class ScopedRunner implements MachineRunner {
  snapshot!: AutosshSnapshot;
  constructor(private readonly fleet: FleetScope, readonly callbacks: RunnerCallbacks) {}

  send(event: MachineEvent): void {
    this.fleet.deliver(this, event);
  }

  getSnapshot(): AutosshSnapshot {
    return this.snapshot;
  }

  getPersistedSnapshot(): Snapshot<unknown> {
    return autosshMachine.getPersistedSnapshot(this.snapshot);
  }
}

export class FleetScope {
  private current: ScopedRunner | null = null;
  private readonly deferred: Array<() => void> = [];
  // events sent from inside a step (by a host reacting to an effect) wait for it, as in a mailbox
  private readonly mailbox: Array<ScopedRunner | MachineEvent> = [];
  private busy = false;
  private readonly scope: Scope;

  constructor() {
    // the scope's self and system: the machine uses neither (no spawn, no delayed events), but
    // xstate reports inspection events to the system
    const host = createActor(createMachine({})).start();
    this.scope = {
      self: host as never,
      id: 'fleet',
      sessionId: host.sessionId,
      logger: () => {},
      defer: (fn) => void this.deferred.push(fn),
      emit: (effect) => this.current?.callbacks.onEffect(effect),
      system: host.system as never,
      stopChild: () => {},
      actionExecutor: (action) => action.exec?.(action.info, action.params),
    };
  }

  readonly run: RunMachine = (input, persisted, callbacks) => {
    if (this.busy) throw new Error('a fleet tunnel cannot be started from inside another tunnel\'s step');
    const runner = new ScopedRunner(this, callbacks);
    if (persisted) {
      runner.snapshot = autosshMachine.restoreSnapshot(persisted, this.scope);
    } else {
      this.step(runner, () => autosshMachine.getInitialSnapshot(this.scope, input));
    }
    return runner;
  };

  deliver(runner: ScopedRunner, event: MachineEvent): void {
    if (this.busy) {
      // a step's effects may each bring news back at once, but never without end
      if (this.mailbox.length >= 2 * MAX_MAILBOX_EVENTS) throw new Error(`fleet mailbox: more than ${MAX_MAILBOX_EVENTS} events sent from inside one step`);
      this.mailbox.push(runner, event);
      return;
    }
    this.step(runner, () => autosshMachine.transition(runner.snapshot, event, this.scope));
    while (this.mailbox.length > 0) {
      const next = this.mailbox.shift() as ScopedRunner;
      const queued = this.mailbox.shift() as MachineEvent;
      this.step(next, () => autosshMachine.transition(next.snapshot, queued, this.scope));
    }
  }

  private step(runner: ScopedRunner, next: () => AutosshSnapshot): void {
    if (runner.snapshot !== undefined && runner.snapshot.status !== 'active') return;
    this.busy = true;
    this.current = runner;
    try {
      try {
        runner.snapshot = next();
      } catch (error) {
        this.deferred.length = 0;
        runner.snapshot = { ...(runner.snapshot ?? {}), status: 'error', error } as AutosshSnapshot;
        runner.callbacks.onError(error);
        return;
      }
      for (let effect = this.deferred.shift(); effect; effect = this.deferred.shift()) effect();
    } finally {
      this.current = null;
      this.busy = false;
    }
  }
}
