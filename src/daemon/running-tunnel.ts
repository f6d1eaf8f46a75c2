// One run of a daemon tunnel's machine: the shared driver's Supervisor and a RealHost, exactly as
// the drop-in runs one, logging through the tunnel's logger (naming it on every line) and
// feeding the tunnel's tracker. Its end (the machine exited) is told with its reason
// (./run-end.ts); the tunnel (./daemon-tunnel.ts) and its restart policy decide what follows.
import type { Logger } from '../adapters/logger.js';
import { RealHost } from '../adapters/real-host.js';
import type { AutosshSnapshot } from '../driver/machine-runner.js';
import { Supervisor } from '../driver/supervisor.js';
import type { Config } from '../machine/config/types.js';
import type { Effect } from '../machine/effects.js';
import { signalEvent } from '../machine/events.js';
import type { SupervisorSignal } from '../machine/signals.js';
import type { TunnelDefinition } from './config/types.js';
import type { RunEndReason } from './restart-policy.js';
import { RunEndWatch } from './run-end.js';
import type { TunnelTracker } from './status-types.js';
import { trackSshEnds } from './tunnel-tracker.js';

export interface RunHooks {
  /** every effect, after the tracker saw it */
  onEffect(effect: Effect): void;
  /** its machine exited: the code, and why, as the run's own story tells it */
  onEnd(code: number, reason: RunEndReason): void;
}

export class RunningTunnel {
  private readonly supervisor: Supervisor;
  private readonly host: RealHost;
  private readonly watch = new RunEndWatch();
  private started = false;
  private endedWith: number | null = null;

  constructor(
    readonly definition: TunnelDefinition,
    logger: Logger,
    prog: string,
    tracker: TunnelTracker,
    private readonly hooks: RunHooks,
    /** the config its invariants hold it to, when a test lowers a bound (TunnelDeps.invariantConfigOf) */
    invariantConfig?: Config,
  ) {
    this.supervisor = new Supervisor(definition.config, {
      // a broken invariant ends this run alone, with status 1: the restart policy takes it from there
      onBreach: 'end',
      invariantConfig,
      observe: (effect) => {
        this.watch.observe(effect);
        tracker.observe(effect);
        hooks.onEffect(effect);
      },
    });
    // ssh's end reaches the tracker before the machine, which may start the next ssh in that step
    const inner = trackSshEnds(tracker, this.supervisor.tell);
    const tell: typeof inner = (event) => {
      this.watch.heard(event);
      inner(event);
    };
    this.host = new RealHost(definition.config, logger, prog, tell, (code) => this.finish(code));
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

  machineSnapshot(): AutosshSnapshot {
    return this.supervisor.machineSnapshot();
  }

  /** the driver's clock (ms) */
  nowMs(): number {
    return this.host.now();
  }

  /** A signal for its machine, as the drop-in's would be: SIGTERM stops ssh (KILLTIME applies). */
  signal(signal: SupervisorSignal): void {
    if (!this.started) return this.finish(1);
    if (!this.supervisor.done) this.supervisor.tell({ type: signalEvent(signal) });
  }

  /** Last resort (an internal error): no ssh may outlive us. */
  kill(): void {
    this.host.signalSsh('SIGKILL');
    this.host.removePidFile();
  }

  private finish(code: number): void {
    if (this.endedWith !== null) return;
    this.endedWith = code;
    this.hooks.onEnd(code, this.watch.reasonOf(code));
  }
}
