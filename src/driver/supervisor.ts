// The imperative shell around the machine, shared by the real CLI and the simulator: 1.4g's
// start-up order (listener, pid file, then the start loop), effects applied to the host, and
// the host's reports turned into stamped events.
import type { Snapshot } from 'xstate';
import type { Config, Notice } from '../machine/config/types.js';
import { LOG_ERR } from '../machine/config/log-levels.js';
import { MONITOR_HOST } from '../machine/config/ssh-argv.js';
import type { Effect } from '../machine/effects.js';
import type { MachineEvent, TimerName } from '../machine/events.js';
import type { SupervisorSignal } from '../machine/signals.js';
import type { SupervisorHost } from './host.js';
import { runAsActor, type MachineRunner, type RunMachine } from './machine-runner.js';

export interface StartOptions {
  /** resume from a persisted snapshot instead of starting afresh */
  snapshot?: Snapshot<unknown>;
  /** how to run the machine: an actor of its own unless a fleet shares one scope */
  run?: RunMachine;
}

export class Supervisor {
  private readonly machine: MachineRunner;
  private exited = false;
  exitCode: number | null = null;

  private constructor(private readonly host: SupervisorHost, config: Config, options: StartOptions) {
    const run = options.run ?? runAsActor;
    this.machine = run({ config }, options.snapshot, {
      onEffect: (effect) => this.apply(effect),
      onError: (error) => {
        // an action that throws puts the machine in error: never let that pass silently
        host.log(LOG_ERR, `internal error: ${String(error)}`);
        this.finish(1);
      },
    });
  }

  /** 1.4g's main(): listener, pid file, then the start loop. */
  static start(host: SupervisorHost, config: Config, notices: readonly Notice[] = [], run?: RunMachine): Supervisor | null {
    for (const notice of notices) host.log(notice.level, notice.message);
    if (config.monitor?.form === 'loop') {
      const error = host.openMonitorListener(config.monitor.readPort);
      if (error) {
        host.log(LOG_ERR, `bind on ${MONITOR_HOST}:${config.monitor.readPort}: ${error}`);
        host.exit(1);
        return null;
      }
    }
    if (config.pidFile) {
      const error = host.writePidFile();
      if (error) {
        host.log(LOG_ERR, `cannot open pid file "${config.pidFile}": ${error}`);
        host.closeMonitorListener();
        host.exit(1);
        return null;
      }
    }
    const supervisor = new Supervisor(host, config, run ? { run } : {});
    supervisor.send({ type: 'START', atMs: host.now() });
    return supervisor;
  }

  /** Continue a persisted run; the host's timers are re-armed from the snapshot. */
  static resume(host: SupervisorHost, config: Config, snapshot: Snapshot<unknown>, run?: RunMachine): Supervisor {
    const supervisor = new Supervisor(host, config, run ? { snapshot, run } : { snapshot });
    const timers = supervisor.machine.getSnapshot().context.timers;
    for (const [timer, dueMs] of Object.entries(timers)) host.armTimer(timer as TimerName, dueMs as number);
    return supervisor;
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

  signal(signal: SupervisorSignal): void {
    this.send({ type: 'SIGNAL', signal, atMs: this.host.now() });
  }

  childExited(end: { code: number } | { signal: string }): void {
    this.send({ type: 'CHILD_EXIT', ...end, atMs: this.host.now() });
  }

  spawnFailed(error: string): void {
    this.send({ type: 'SPAWN_FAILED', error, atMs: this.host.now() });
  }

  probeFinished(probeId: number, ok: boolean, reason?: string): void {
    this.send({ type: 'PROBE_RESULT', probeId, ok, ...(reason ? { reason } : {}), atMs: this.host.now() });
  }

  timerFired(timer: TimerName): void {
    this.send({ type: 'TIMER', timer, atMs: this.host.now() });
  }

  private send(event: MachineEvent): void {
    if (!this.exited) this.machine.send(event);
  }

  private apply(effect: Effect): void {
    const { host } = this;
    switch (effect.type) {
      case 'spawnSsh': return host.spawnSsh(effect.n, effect.argv);
      case 'signalSsh': return host.signalSsh(effect.signal);
      case 'runProbe': return host.runProbe(effect);
      case 'cancelProbe': return host.cancelProbe(effect.probeId);
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
    this.host.removePidFile();
    this.host.closeMonitorListener();
    this.host.exit(code);
  }
}
