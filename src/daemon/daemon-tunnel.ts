// One tunnel of the daemon's file, for as long as the file has it: its runs (./running-tunnel.ts),
// one after another as its restart policy says (./restart-loop.ts, ./restart-policy.ts), its
// logger (naming it on every line) and its tracker, both kept across runs. It ends for good when
// the policy starts no other run, or when it is stopped (a reload, a signal to exit).
import { LogOutputs, Logger } from '../adapters/logger.js';
import type { LogFormat } from '../adapters/log-line.js';
import { monotonicMs } from '../adapters/clock.js';
import type { AutosshSnapshot } from '../driver/machine-runner.js';
import { tunnelStateOf, type TunnelState } from '../driver/tunnel-state.js';
import { LOG_ERR, LOG_INFO } from '../machine/config/log-levels.js';
import type { Config } from '../machine/config/types.js';
import type { Effect } from '../machine/effects.js';
import type { SupervisorSignal } from '../machine/signals.js';
import type { TunnelDefinition } from './config/types.js';
import { RestartLoop, type FinalEnd, type LoopTimer, type RestartWait } from './restart-loop.js';
import { DEFAULT_RESTART_POLICY, restartJitterOf, runEndWords, seconds, type RestartPolicy, type RunEndReason } from './restart-policy.js';
import { RunningTunnel } from './running-tunnel.js';
import type { TunnelSource, TunnelTracker } from './status-types.js';
import { createTunnelTracker } from './tunnel-tracker.js';
import { daemonStateOf, type DaemonTunnelState } from './tunnel-view.js';
import { secondsLeft, wholeSeconds } from '../driver/wait-left.js';

export interface TunnelDeps {
  prog: string;
  outputs: LogOutputs;
  format: LogFormat;
  /** where every line goes: the daemon's AUTOSSH_LOGFILE (else syslog) and AUTOSSH_DEBUG, for every tunnel */
  logFile: string | null;
  debug: boolean;
  /** the status side's view of this tunnel (./status-types.ts); createTunnelTracker unless told */
  makeTracker?: (tunnel: TunnelSource) => TunnelTracker;
  /** every effect of every run, after the tracker saw it: the daemon's readiness and STATUS= lines */
  onEffect?: (tunnel: DaemonTunnel, effect: Effect) => void;
  /** a run ended (the tunnel now waits to restart, or has ended for good) */
  onRunEnd?: (tunnel: DaemonTunnel) => void;
  /** it ended for good (told before its log closes: the line saying so names the tunnel) */
  onEnd?: (tunnel: DaemonTunnel, code: number) => void;
  /** the restart policy's clock and timer; real time unless a test says otherwise */
  restartTimer?: LoopTimer;
  /** Tests only: the config a tunnel's invariants hold its runs to, a bound lowered to break one on purpose. */
  invariantConfigOf?: (definition: TunnelDefinition) => Config | undefined;
}

/** Real time, on the clock the tunnels' hosts use. */
export const REAL_LOOP_TIMER: LoopTimer = {
  now: monotonicMs,
  after: (delayMs, fire) => {
    const handle = setTimeout(fire, delayMs);
    return () => clearTimeout(handle);
  },
};

/** The machine's state before its first run. */
const NOT_STARTED: TunnelState = { phase: 'starting', up: false, startCount: 0, backoffDueMs: null, exitCode: null };

export class DaemonTunnel {
  readonly name: string;
  readonly logger: Logger;
  readonly tracker: TunnelTracker;
  private readonly loop: RestartLoop;
  private readonly timer: LoopTimer;
  /** the current run, or the last one */
  private run: RunningTunnel | null = null;
  private started = false;
  private retiring = false;
  private endedWith: number | null = null;
  private resolveEnded!: (code: number) => void;
  /** the last run's exit code, once it ended for good */
  readonly ended: Promise<number> = new Promise((resolve) => (this.resolveEnded = resolve));

  /** Opens its log; an error message (a log file that cannot be opened) leaves nothing open. */
  static prepare(definition: TunnelDefinition, deps: TunnelDeps): DaemonTunnel | { error: string } {
    const { config } = definition;
    const logger = new Logger({
      // the level is the tunnel's (AUTOSSH_LOGLEVEL in its env); the destination the daemon's
      progName: deps.prog, logFile: deps.logFile, logLevel: config.logLevel, debug: deps.debug,
      format: deps.format, tunnel: definition.name, outputs: deps.outputs,
    });
    const error = logger.open();
    if (error !== null) return { error: `${definition.name}: ${error}` };
    return new DaemonTunnel(definition, logger, deps);
  }

  private constructor(readonly definition: TunnelDefinition, logger: Logger, private readonly deps: TunnelDeps) {
    this.name = definition.name;
    this.logger = logger;
    this.timer = deps.restartTimer ?? REAL_LOOP_TIMER;
    this.tracker = (deps.makeTracker ?? createTunnelTracker)({
      name: this.name,
      snapshot: () => this.machineSnapshot(),
      sshPid: () => this.sshPid,
      nowMs: () => this.nowMs(),
      state: () => this.state(),
    });
    this.loop = new RestartLoop(definition.restart ?? DEFAULT_RESTART_POLICY, this.timer, restartJitterOf(definition.config.jitterSeed), {
      startRun: (run) => this.startRun(run),
      waiting: (wait) => this.sayWaiting(wait),
      restarting: (after, early) => this.sayRestarting(after, early),
      ended: (final) => this.endedForGood(final),
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.loop.start();
  }

  get sshPid(): number | null {
    return this.loop.phase === 'running' ? (this.run?.sshPid ?? null) : null;
  }

  /** ended for good: no run, no wait */
  get done(): boolean {
    return this.endedWith !== null;
  }

  get exitCode(): number | null {
    return this.endedWith;
  }

  get restartPolicy(): RestartPolicy {
    return this.loop.restartPolicy;
  }

  /** the current (or last) run's machine; its state before the first run: NOT_STARTED */
  machineSnapshot(): AutosshSnapshot {
    if (this.run === null) throw new Error(`tunnel ${this.name}: no run has started yet`);
    return this.run.machineSnapshot();
  }

  state(): DaemonTunnelState {
    const machine = this.run === null ? NOT_STARTED : tunnelStateOf(this.run.machineSnapshot());
    const { loop } = this;
    return daemonStateOf(machine, { phase: loop.phase, policy: loop.restartPolicy.mode, runs: loop.runs, wait: loop.wait, final: loop.final });
  }

  /** the clock (ms) of its hosts and its restart waits */
  nowMs(): number {
    return this.timer.now();
  }

  /** A signal, as the drop-in's machine takes it and as its restart policy does (RestartLoop.takeSignal). */
  signal(signal: SupervisorSignal): void {
    if (!this.started) {
      this.loop.stop();
      return;
    }
    this.loop.takeSignal(signal, () => this.runningRun());
  }

  /** A reload removed or changed it: SIGTERM now (or the wait ends); its end is expected, not news. */
  retire(): void {
    this.retiring = true;
    this.signal('SIGTERM');
  }

  /** on its way out because a reload said so */
  get isRetiring(): boolean {
    return this.retiring;
  }

  /** A reload kept it with another restart policy: the policy counts from now on. */
  setRestartPolicy(policy: RestartPolicy): void {
    if (JSON.stringify(policy) === JSON.stringify(this.loop.restartPolicy)) return;
    this.logger.log(LOG_INFO, `restart policy now restart = "${policy.mode}", restart_sec = ${seconds(policy.restartMs)}`);
    this.loop.setPolicy(policy);
  }

  /** Last resort (an internal error): no ssh may outlive us. */
  kill(): void {
    this.runningRun()?.kill();
  }

  /** A tunnel prepared and never started: release its log. */
  discard(): void {
    if (!this.started) this.signal('SIGTERM');
  }

  private runningRun(): RunningTunnel | null {
    return this.loop.phase === 'running' && this.run !== null && !this.run.done ? this.run : null;
  }

  private startRun(run: number): void {
    const current = new RunningTunnel(this.definition, this.logger, this.deps.prog, this.tracker, {
      onEffect: (effect) => this.deps.onEffect?.(this, effect),
      onEnd: (code, reason) => this.runEnded(run, code, reason),
    }, this.deps.invariantConfigOf?.(this.definition));
    this.run = current;
    current.start();
  }

  private runEnded(run: number, code: number, reason: RunEndReason): void {
    this.tracker.noteRunEnd(run, this.loop.stopAsked ? 'stopped' : reason, code);
    this.loop.runEnded(code, reason);
    this.deps.onRunEnd?.(this);
  }

  private sayWaiting(wait: RestartWait): void {
    const inSeconds = wholeSeconds(secondsLeft(wait.dueMs, this.nowMs()));
    this.logger.log(
      LOG_INFO,
      `run ${wait.run} ended (${runEndWords(wait.reason)}, status ${wait.code}); restart = "${this.loop.restartPolicy.mode}": ` +
        `starting run ${wait.run + 1} in ${inSeconds} s (${wait.why})`,
    );
  }

  private sayRestarting(after: RestartWait, early: boolean): void {
    this.tracker.noteRestart(after.reason);
    const run = after.run + 1;
    this.logger.log(LOG_INFO, early ? `SIGUSR1 ends the restart wait: starting run ${run} now` : `starting run ${run} (restart policy)`);
  }

  private endedForGood(final: FinalEnd): void {
    if (this.endedWith !== null) return;
    if (final.reason !== 'stopped' && this.started) {
      this.logger.log(final.code === 0 ? LOG_INFO : LOG_ERR, `run ${final.run} ended (${runEndWords(final.reason)}, status ${final.code}); not restarted: ${final.why}`);
    }
    this.endedWith = final.code;
    if (this.started) this.deps.onEnd?.(this, final.code);
    this.logger.close();
    this.resolveEnded(final.code);
  }
}
