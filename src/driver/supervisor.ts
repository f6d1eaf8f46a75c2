// The imperative shell around the machine, shared by the real CLI and every simulated world:
// 1.4g's start-up order (listener, pid file, then the start loop), the machine's effects
// applied to the host after the invariants passed, and the host's news stamped into events.
//
// Wiring goes one way. A supervisor is made first; its `tell` is the sink a host is built
// with; `start(host)` hands it the host to act on. The host never holds the supervisor.
//
// One event, one step: the machine takes it, every effect of the step is checked against the
// invariants (./invariants.ts), then all of them are applied, or, if one breaks an invariant,
// none. News a host tells while a step's effects are applied waits for the step, as in an
// actor's mailbox. A broken invariant is a bug in the machine; what it does is the driver's
// `onBreach`:
// - 'throw' (simulations, replay, the oracle, tests): InvariantBroken, to whoever told the news;
// - 'end' (production: the drop-in, each daemon tunnel): the breach is logged at LOG_ERR through
//   the run's log, naming the invariant and the event; the driver stops this run's ssh itself
//   (SIGTERM, SIGKILL after AUTOSSH_KILLTIME or at a second signal to exit, as D4) and the
//   supervisor exits 1 (pid file removed, listener closed). Nothing else in the process is
//   touched: a daemon's other tunnels go on.
import type { Snapshot } from 'xstate';
import type { Config, Notice } from '../machine/config/types.js';
import { LOG_ERR } from '../machine/config/log-levels.js';
import { MONITOR_HOST } from '../machine/config/ssh-argv.js';
import type { Effect } from '../machine/effects.js';
import { TIMER_DUE_EVENTS, type MachineEvent, type TimerName, type WorldEvent } from '../machine/events.js';
import type { SupervisorHost, Tell } from './host.js';
import { InvariantBroken, SupervisorInvariants, type Breach } from './invariants.js';
import { runAsActor, type MachineRunner, type RunMachine } from './machine-runner.js';

/** What a broken invariant does (see the top of this file). */
export type OnBreach = 'throw' | 'end';

export interface SupervisorOptions {
  /** resume from a persisted snapshot instead of starting afresh (then call resume, not start) */
  snapshot?: Snapshot<unknown>;
  /** how to run the machine: an actor of its own unless a fleet shares one scope */
  run?: RunMachine;
  /**
   * Sees every effect once the host has applied it (status pages, sd_notify, metrics). It only
   * watches: what it learns goes out to the operator, never back into the machine.
   */
  observe?: (effect: Effect) => void;
  /** 'throw' unless told: production passes 'end' */
  onBreach?: OnBreach;
  /**
   * The config the invariants hold the run to: the run's own unless told. Only a test gives
   * another, with a bound lowered below what the machine does, to break an invariant on purpose.
   */
  invariantConfig?: Config;
}

/** News told while one step's effects are applied: a handful in practice. */
const MAX_QUEUED_EVENTS = 10_000;
const TIMERS = Object.keys(TIMER_DUE_EVENTS) as TimerName[];

export class Supervisor {
  private readonly machine: MachineRunner;
  private readonly invariants: SupervisorInvariants;
  private host: SupervisorHost | null = null;
  private exited = false;
  /** a step is being taken: news told meanwhile waits in `queue` */
  private stepping = false;
  private readonly queue: MachineEvent[] = [];
  /** the effects of the step being taken, applied once all passed the invariants */
  private readonly stepEffects: Effect[] = [];
  /** what broke (an invariant, or the machine itself): the machine takes no more news */
  private broken: string | null = null;
  private readonly onBreach: OnBreach;
  private readonly observe: ((effect: Effect) => void) | null;
  exitCode: number | null = null;

  constructor(private readonly config: Config, options: SupervisorOptions = {}) {
    this.invariants = new SupervisorInvariants(options.invariantConfig ?? config);
    this.observe = options.observe ?? null;
    this.onBreach = options.onBreach ?? 'throw';
    const run = options.run ?? runAsActor;
    this.machine = run({ config }, options.snapshot, {
      onEffect: (effect) => void this.stepEffects.push(effect),
      onError: (error) => {
        // an action that throws puts the machine in error: never let that pass silently
        const message = `internal error: ${String(error)}`;
        if (this.onBreach === 'end' && this.host !== null) return this.endBroken(message);
        this.host?.log(LOG_ERR, message);
        this.finish(1);
      },
    });
  }

  /** The sink a host is built with: what happened, stamped here with the host's clock. */
  readonly tell: Tell = (event: WorldEvent): void => {
    const host = this.host;
    if (host === null) throw new InvariantBroken(`${event.type} before start-up: the host told news before start()`);
    this.send({ ...event, atMs: host.now() } as MachineEvent);
  };

  /** 1.4g's main(): the loop form's listener, the pid file, then the start loop. */
  start(host: SupervisorHost, notices: readonly Notice[] = []): void {
    this.attach(host);
    for (const notice of notices) host.log(notice.level, notice.message);
    this.bindListener(host, () => {
      if (this.exited) return; // a signal to exit came while binding
      if (!this.writePidFile(host)) return;
      this.tell({ type: 'START' });
    });
  }

  /** Continue a persisted run: the host's timers are re-armed from the snapshot. */
  resume(host: SupervisorHost): void {
    this.attach(host);
    const snapshot = this.machine.getSnapshot();
    this.invariants.resumeWith(snapshot.matches('sshRunning') || snapshot.matches('stopping'));
    for (const [timer, dueMs] of Object.entries(snapshot.context.timers)) host.armTimer(timer as TimerName, dueMs as number);
  }

  get done(): boolean {
    return this.exited;
  }

  snapshot(): Snapshot<unknown> {
    return this.machine.getPersistedSnapshot();
  }

  machineSnapshot() {
    return this.machine.getSnapshot();
  }

  private attach(host: SupervisorHost): void {
    if (this.host !== null) throw new InvariantBroken('a supervisor runs on one host, started once');
    this.host = host;
  }

  private bindListener(host: SupervisorHost, then: () => void): void {
    const monitor = this.config.monitor;
    if (monitor?.form !== 'loop') return then();
    host.openMonitorListener(monitor.readPort, (error) => {
      if (error === null) return then();
      this.failStart(host, `bind on ${MONITOR_HOST}:${monitor.readPort}: ${error}`);
    });
  }

  private writePidFile(host: SupervisorHost): boolean {
    if (!this.config.pidFile) return true;
    const error = host.writePidFile();
    if (error === null) return true;
    // nothing of ours is in the file's place: only the listener needs closing
    host.closeMonitorListener();
    host.startFailed(`cannot open pid file "${this.config.pidFile}": ${error}`);
    this.exited = true;
    this.exitCode = 1;
    host.exit(1);
    return false;
  }

  private failStart(host: SupervisorHost, message: string): void {
    host.startFailed(message);
    this.exited = true;
    this.exitCode = 1;
    host.exit(1);
  }

  private send(event: MachineEvent): void {
    if (this.exited) return;
    if (this.broken !== null && this.onBreach === 'throw') throw new InvariantBroken(this.broken);
    if (this.stepping) {
      // a step's effects may each bring news back at once, but never without end
      if (this.queue.length >= MAX_QUEUED_EVENTS) throw new Error(`supervisor: more than ${MAX_QUEUED_EVENTS} events told during one step`);
      this.queue.push(event);
      return;
    }
    this.stepping = true;
    try {
      for (let next: MachineEvent | undefined = event; next !== undefined && !this.exited; next = this.queue.shift()) {
        if (this.broken === null) this.step(next);
        else this.afterBreak(next);
      }
    } finally {
      this.stepping = false;
      this.queue.length = 0;
    }
  }

  /** One event through the machine; its effects all applied, or none if one breaks an invariant. */
  private step(event: MachineEvent): void {
    const host = this.host!;
    const effects = this.stepEffects;
    try {
      this.invariants.noteEvent(event);
      this.machine.send(event);
      if (this.exited || this.broken !== null) return; // the machine itself failed (onError)
      const breach = this.invariants.checkStep(effects, host.now());
      if (breach !== null) return this.breached(breach, event);
      for (const effect of effects) this.apply(host, effect);
    } finally {
      effects.length = 0;
    }
  }

  private apply(host: SupervisorHost, effect: Effect): void {
    this.applyToHost(host, effect);
    this.observe?.(effect);
  }

  private breached(breach: Breach, event: MachineEvent): void {
    const message = `invariant "${breach.invariant}" broken by ${event.type} at ${Math.round(event.atMs)} ms: ${breach.detail}; none of that step's effects were applied`;
    if (this.onBreach === 'throw') {
      this.broken = message;
      throw new InvariantBroken(message);
    }
    this.endBroken(message);
  }

  /**
   * The machine is wrong ('end'): say so in the run's log, and end this supervisor without it.
   * Its timers are cancelled; a running ssh is stopped here, and the exit (1) waits for its end.
   */
  private endBroken(message: string): void {
    const host = this.host!;
    this.broken = message;
    host.log(LOG_ERR, `${message}; this supervisor stops its ssh and exits with status 1`);
    for (const timer of TIMERS) this.apply(host, { type: 'cancelTimer', timer });
    if (!this.invariants.sshAlive) return this.finish(1);
    this.apply(host, { type: 'signalSsh', signal: 'SIGTERM' });
    const { killSeconds } = this.config;
    if (killSeconds > 0) this.apply(host, { type: 'armTimer', timer: 'kill', dueMs: host.now() + killSeconds * 1000 });
  }

  /** After endBroken, only ssh's end, the kill timer and a signal to exit still matter. */
  private afterBreak(event: MachineEvent): void {
    const host = this.host!;
    switch (event.type) {
      case 'SSH_EXITED':
      case 'SSH_SPAWN_FAILED':
        return this.finish(1);
      case 'KILL_DUE':
      case 'SIGNAL.TERM':
      case 'SIGNAL.INT':
      case 'SIGNAL.QUIT':
      case 'SIGNAL.ABRT':
        return this.apply(host, { type: 'signalSsh', signal: 'SIGKILL' });
      default:
        return;
    }
  }

  private applyToHost(host: SupervisorHost, effect: Effect): void {
    switch (effect.type) {
      case 'spawnSsh': return host.spawnSsh(effect.n, effect.argv);
      case 'signalSsh': return host.signalSsh(effect.signal);
      case 'runProbe': return host.runProbe(effect);
      case 'cancelProbe': return host.cancelProbe(effect.probeId);
      case 'awaitEstablished': return host.awaitEstablished(effect.listenPorts, effect.authLine);
      case 'watchNetwork': return host.watchNetwork();
      case 'unwatchNetwork': return host.unwatchNetwork();
      case 'armTimer': return host.armTimer(effect.timer, effect.dueMs);
      case 'cancelTimer': return host.cancelTimer(effect.timer);
      case 'log': return host.log(effect.level, effect.message);
      case 'decision': return host.decision?.(effect.rule, effect.detail);
      case 'exit': return this.finish(effect.code);
    }
  }

  private finish(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    const host = this.host!;
    host.removePidFile();
    host.closeMonitorListener();
    host.exit(code);
  }
}
