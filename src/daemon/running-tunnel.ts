// One tunnel of the daemon: its own logger (naming it on every line), the shared driver's
// Supervisor and a RealHost, exactly as the drop-in runs one; a tracker watches its effects.
// Its end (the machine exited) resolves `ended`: the daemon learns of it, the process goes on.
import { LogOutputs, Logger } from '../adapters/logger.js';
import type { LogFormat } from '../adapters/log-line.js';
import { RealHost } from '../adapters/real-host.js';
import { Supervisor } from '../driver/supervisor.js';
import { tunnelStateOf, type TunnelState } from '../driver/tunnel-state.js';
import type { Effect } from '../machine/effects.js';
import { signalEvent } from '../machine/events.js';
import type { SupervisorSignal } from '../machine/signals.js';
import type { TunnelDefinition } from './config/types.js';
import type { TrackedTunnel, TunnelReport, TunnelTracker } from './status-types.js';
import { trackSshEnds } from './tunnel-tracker.js';

export interface TunnelDeps {
  prog: string;
  outputs: LogOutputs;
  format: LogFormat;
  /** where every line goes: the daemon's AUTOSSH_LOGFILE (else syslog) and AUTOSSH_DEBUG, for every tunnel */
  logFile: string | null;
  debug: boolean;
  /** the status side's view of this tunnel (./status-types.ts); none when nobody asks */
  makeTracker?: (tunnel: TrackedTunnel) => TunnelTracker;
  /** every effect, after the tracker saw it: the daemon's readiness and STATUS= lines */
  onEffect?: (tunnel: RunningTunnel, effect: Effect) => void;
  /** its machine exited (told before its log closes: the line saying so names the tunnel) */
  onEnd?: (tunnel: RunningTunnel, code: number) => void;
}

export class RunningTunnel {
  readonly name: string;
  readonly logger: Logger;
  readonly tracker: TunnelTracker | null;
  private readonly supervisor: Supervisor;
  private readonly host: RealHost;
  private started = false;
  private retiring = false;
  private endedWith: number | null = null;
  private resolveEnded!: (code: number) => void;
  /** the machine's exit code, once it exited */
  readonly ended: Promise<number> = new Promise((resolve) => (this.resolveEnded = resolve));
  /** wall-clock ms of its start, for reports made without a tracker */
  readonly startedAtMs = Date.now();

  /** Opens its log; an error message (a log file that cannot be opened) leaves nothing open. */
  static prepare(definition: TunnelDefinition, deps: TunnelDeps): RunningTunnel | { error: string } {
    const { config } = definition;
    const logger = new Logger({
      // the level is the tunnel's (AUTOSSH_LOGLEVEL in its env); the destination the daemon's
      progName: deps.prog, logFile: deps.logFile, logLevel: config.logLevel, debug: deps.debug,
      format: deps.format, tunnel: definition.name, outputs: deps.outputs,
    });
    const error = logger.open();
    if (error !== null) return { error: `${definition.name}: ${error}` };
    return new RunningTunnel(definition, logger, deps);
  }

  private constructor(readonly definition: TunnelDefinition, logger: Logger, private readonly deps: TunnelDeps) {
    this.name = definition.name;
    this.logger = logger;
    // the tracker reads the machine only once effects come: it can be made before the supervisor
    const tracker = deps.makeTracker?.({
      name: this.name,
      snapshot: () => this.supervisor.machineSnapshot(),
      sshPid: () => this.sshPid,
      nowMs: () => this.host.now(),
    }) ?? null;
    this.supervisor = new Supervisor(definition.config, {
      observe: (effect) => {
        tracker?.observe(effect);
        deps.onEffect?.(this, effect);
      },
    });
    // ssh's end reaches the tracker before the machine, which may start the next ssh in that step
    const tell = tracker ? trackSshEnds(tracker, this.supervisor.tell) : this.supervisor.tell;
    this.host = new RealHost(definition.config, logger, deps.prog, tell, (code) => this.finish(code));
    this.tracker = tracker;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.supervisor.start(this.host, this.definition.notices);
  }

  get sshPid(): number | null {
    return this.host.sshPid ?? null;
  }

  get done(): boolean {
    return this.endedWith !== null;
  }

  get exitCode(): number | null {
    return this.endedWith;
  }

  state(): TunnelState {
    return tunnelStateOf(this.supervisor.machineSnapshot());
  }

  /** the driver's clock (ms) */
  nowMs(): number {
    return this.host.now();
  }

  /** What /status shows when no tracker was given: the machine's state, without history. */
  basicReport(): TunnelReport {
    const state = this.state();
    return {
      name: this.name,
      phase: state.phase,
      up: state.up,
      sshPid: state.phase === 'exited' ? null : this.sshPid,
      starts: state.startCount,
      lastExit: null,
      lastRule: null,
      lastDecision: null,
      since: new Date(this.startedAtMs).toISOString(),
      backoffSeconds: state.backoffDueMs === null ? null : Math.max(0, Math.ceil((state.backoffDueMs - this.nowMs()) / 1000)),
    };
  }

  /** A signal for its machine, as the drop-in's would be: SIGTERM stops ssh (KILLTIME applies). */
  signal(signal: SupervisorSignal): void {
    if (!this.started) return this.finish(1);
    if (!this.supervisor.done) this.supervisor.tell({ type: signalEvent(signal) });
  }

  /** A reload removed or changed it: SIGTERM now; its end is expected, not news. */
  retire(): void {
    this.retiring = true;
    this.signal('SIGTERM');
  }

  /** on its way out because a reload said so */
  get isRetiring(): boolean {
    return this.retiring;
  }

  /** Last resort (an internal error): no ssh may outlive us. */
  kill(): void {
    this.host.signalSsh('SIGKILL');
    this.host.removePidFile();
  }

  /** A tunnel prepared and never started: release its log. */
  discard(): void {
    if (!this.started) this.finish(1);
  }

  private finish(code: number): void {
    if (this.endedWith !== null) return;
    this.endedWith = code;
    if (this.started) this.deps.onEnd?.(this, code);
    this.logger.close();
    this.resolveEnded(code);
  }
}
