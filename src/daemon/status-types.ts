// What the daemon knows about each tunnel, as /status, /ready, /metrics and sd_notify's STATUS=
// show it. The daemon (daemon.ts) makes one TunnelTracker per tunnel and feeds it the
// supervisor's effects (SupervisorOptions.observe); the status server and the metrics read it.
import type { Effect } from '../machine/effects.js';
import type { AutosshSnapshot } from '../driver/machine-runner.js';
import type { TunnelPhase } from '../driver/tunnel-state.js';

export interface LastExit {
  /** ssh's exit status, or null when a signal ended it */
  code: number | null;
  signal: string | null;
  /** wall-clock time of the exit, ISO 8601 */
  at: string;
}

export interface TunnelReport {
  name: string;
  /** the machine's state, as tunnelStateOf names it */
  phase: TunnelPhase;
  /** defined once: src/driver/tunnel-state.ts */
  up: boolean;
  sshPid: number | null;
  starts: number;
  lastExit: LastExit | null;
  /** the rule behind the last decision (graceTime, connectionTestFailed, ...) and its words */
  lastRule: string | null;
  lastDecision: string | null;
  /** wall-clock time the tunnel entered its phase, ISO 8601 */
  since: string;
  /** seconds left of the backoff wait; null unless backing off */
  backoffSeconds: number | null;
}

/** What the daemon hands a tracker so it can read the tunnel's state when asked. */
export interface TrackedTunnel {
  name: string;
  snapshot(): AutosshSnapshot;
  sshPid(): number | null;
  /** the supervisor's clock (ms), to turn due times into seconds left */
  nowMs(): number;
}

export interface TunnelTracker {
  /** every effect the supervisor applied, in order */
  observe(effect: Effect): void;
  report(): TunnelReport;
}

/** The tunnels running now, in the file's order; the status server asks at every request. */
export interface StatusSource {
  reports(): TunnelReport[];
}
