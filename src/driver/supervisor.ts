// The imperative shell around the machine, shared by the real CLI and every simulated world:
// 1.4g's start-up order (listener, pid file, then the start loop), the machine's effects
// applied to the host after the invariants passed, and the host's news stamped into events.
//
// Wiring goes one way. A supervisor is made first; its `tell` is the sink a host is built
// with; `start(host)` hands it the host to act on. The host never holds the supervisor.
import type { Snapshot } from 'xstate';
import type { Config, Notice } from '../machine/config/types.js';
import { LOG_ERR } from '../machine/config/log-levels.js';
import { MONITOR_HOST } from '../machine/config/ssh-argv.js';
import type { Effect } from '../machine/effects.js';
import type { MachineEvent, TimerName, WorldEvent } from '../machine/events.js';
import type { SupervisorHost, Tell } from './host.js';
import { InvariantBroken, SupervisorInvariants } from './invariants.js';
import { runAsActor, type MachineRunner, type RunMachine } from './machine-runner.js';

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
}

export class Supervisor {
  private readonly machine: MachineRunner;
  private readonly invariants: SupervisorInvariants;
  private host: SupervisorHost | null = null;
  private exited = false;
  /** nesting of send(): a host may tell news while an effect is being applied */
  private depth = 0;
  private broken: string | null = null;
  private readonly observe: ((effect: Effect) => void) | null;
  exitCode: number | null = null;

  constructor(private readonly config: Config, options: SupervisorOptions = {}) {
    this.invariants = new SupervisorInvariants(config);
    this.observe = options.observe ?? null;
    const run = options.run ?? runAsActor;
    this.machine = run({ config }, options.snapshot, {
      onEffect: (effect) => this.apply(effect),
      onError: (error) => {
        // an action that throws puts the machine in error: never let that pass silently
        this.host?.log(LOG_ERR, `internal error: ${String(error)}`);
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
    this.invariants.noteEvent(event);
    this.depth++;
    try {
      this.machine.send(event);
    } finally {
      this.depth--;
    }
    // thrown from the outermost send, to whoever told the news: a test's clock, a real callback
    if (this.depth === 0 && this.broken !== null) throw new InvariantBroken(this.broken);
  }

  private apply(effect: Effect): void {
    const host = this.host!;
    const broken = this.invariants.check(effect, host.now());
    if (broken !== null) {
      this.broken ??= `invariant broken at ${host.now()} ms: ${broken}`;
      return;
    }
    this.applyToHost(host, effect);
    this.observe?.(effect);
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
