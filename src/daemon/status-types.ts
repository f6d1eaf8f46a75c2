// What the daemon knows about each tunnel, as /status, /ready, /metrics and sd_notify's STATUS=
// show it. Each daemon tunnel (daemon-tunnel.ts) has one TunnelTracker, fed the supervisor's
// effects (SupervisorOptions.observe) and ssh's ends (trackSshEnds in tunnel-tracker.ts); the
// status server and the metrics read it.
import type { Effect } from '../machine/effects.js';
import type { SshEnd } from '../machine/events.js';
import type { AutosshSnapshot } from '../driver/machine-runner.js';
import type { ExitReason } from './exit-reason.js';
import type { RestartMode, RunEnd, RunEndReason } from './restart-policy.js';
import type { DaemonPhase, DaemonTunnelState } from './tunnel-view.js';

export interface LastExit {
  /** ssh's exit status, or null when a signal ended it */
  code: number | null;
  signal: string | null;
  /** the closed set of src/daemon/exit-reason.ts: `stopped` when we had signalled it */
  reason: ExitReason;
  /** wall-clock time of the exit, ISO 8601 */
  at: string;
}

/** How a run of the tunnel's machine ended. */
export interface LastRunEnd {
  run: number;
  /** RUN_END_REASONS (src/daemon/restart-policy.ts), or `stopped` */
  reason: RunEnd;
  /** the machine's exit code */
  code: number;
  /** wall-clock time of the end, ISO 8601 */
  at: string;
}

export interface TunnelReport {
  name: string;
  /** the run's machine state, as tunnelStateOf names it, or the restart policy's between runs (./tunnel-view.ts) */
  phase: DaemonPhase;
  /** defined once: src/driver/tunnel-state.ts */
  up: boolean;
  sshPid: number | null;
  starts: number;
  lastExit: LastExit | null;
  /** the rule behind the last decision (graceTime, connectionTestFailed, ...) and its words */
  lastRule: string | null;
  lastDecision: string | null;
  /**
   * wall-clock time the tunnel entered its phase, ISO 8601; a new ssh starts it anew, and up and
   * testing count as one (a connection test does not end an up tunnel's time)
   */
  since: string;
  /** seconds left of the backoff wait; null unless backing off */
  backoffSeconds: number | null;
  /** the restart policy: restart = "always" | "on-failure" | "no" */
  restartPolicy: RestartMode;
  /** runs of its machine started: the first, and one per restart */
  runs: number;
  /** how the last run ended; null while the first runs */
  lastRunEnd: LastRunEnd | null;
  /** seconds left until the restart policy starts the next run; null unless restarting */
  restartSeconds: number | null;
}

/** What a tracker reads of its tunnel when asked (as a StatusSource is read at every request). */
export interface TunnelSource {
  name: string;
  snapshot(): AutosshSnapshot;
  sshPid(): number | null;
  /** the supervisor's clock (ms), to turn due times into seconds left */
  nowMs(): number;
  /**
   * The daemon's view: the run's machine state, or the restart policy's between runs. Without
   * it, the machine's state alone (tunnelStateOf of snapshot()).
   */
  state?(): DaemonTunnelState;
}

/** What a tracker has counted since it was made: the counters of /metrics. */
export interface TunnelCounts {
  /** spawnSsh effects */
  starts: number;
  /** ssh ends by reason; a reason appears at its first count */
  exits: Readonly<Partial<Record<ExitReason, number>>>;
  /** decision effects by rule (the machine's rule names; a bounded set, see tunnel-tracker.ts) */
  decisions: Readonly<Record<string, number>>;
  /** new runs the restart policy started, by why the run before ended; a reason appears at its first count */
  restarts: Readonly<Partial<Record<RunEndReason, number>>>;
}

export interface TunnelTracker {
  readonly name: string;
  /** every effect the supervisor applied, in order */
  observe(effect: Effect): void;
  /**
   * ssh ended. The exit effect is the machine's own end, not ssh's, and an ssh stopped by us is
   * reaped without a decision: only the host knows. Call it with the host's news BEFORE the
   * supervisor hears it (trackSshEnds does), so the ssh it names is still the current one.
   */
  noteSshEnd(end: SshEnd): void;
  /** ssh could not be executed (SSH_SPAWN_FAILED); same timing as noteSshEnd */
  noteSpawnFailed(): void;
  /** a run of its machine ended (told before the restart policy decides what follows) */
  noteRunEnd(run: number, reason: RunEnd, code: number): void;
  /** the restart policy starts a new run after one that ended for `reason` */
  noteRestart(reason: RunEndReason): void;
  report(): TunnelReport;
  counts(): TunnelCounts;
}

/** The daemon process, as /status shows it. */
export interface DaemonInfo {
  pid: number;
  /** the configuration file, as given; null when not known */
  configPath: string | null;
  /** ISO 8601 */
  startedAt: string;
  version: string;
}

/** The tunnels running now, in the file's order; the status server asks at every request. */
export interface StatusSource {
  reports(): TunnelReport[];
  /** shown by /status; without it the server describes its own process (no config path) */
  readonly daemon?: DaemonInfo;
}

/** The trackers running now, in the file's order; /metrics reads them at every scrape. */
export interface TrackerSource {
  trackers(): readonly TunnelTracker[];
}
