// What "up" means, said once for every consumer: the daemon's /ready, /status and
// autossh_tunnel_up, sd_notify's READY=1 and STATUS= lines.
//
// A tunnel is up when ssh runs and nothing the machine knows says its session is not working:
// - with D9 on (AUTOSSH_CONNECTTIME and a forward's port or ssh's "Authenticated to" to watch),
//   only once this ssh's session was shown to be up: its evidence came, or a connection test
//   passed in its life (the machine's `sessionShown`). A test started before either (a POLL
//   shorter than CONNECTTIME) is no evidence yet: the tunnel is still `connecting`;
// - while a connection test is in flight, the last one passed (a failed one stops ssh at once);
// - with neither evidence nor tests (-M 0, D9 off), a running ssh is all there is to know: up,
//   as 1.4g itself assumes.
// Deciding, backing off, stopping ssh, before START and after the end: not up.
import type { AutosshSnapshot } from './machine-runner.js';

export type TunnelPhase =
  /** before START: the listener and the pid file */
  | 'starting'
  /** ssh runs; its session is not yet shown to be up (D9), even while a connection test runs */
  | 'connecting'
  | 'up'
  /** ssh runs and a connection test is in flight */
  | 'testing'
  /** waiting before the next start (grace time, forward retry, jitter) */
  | 'backingOff'
  /** ssh was sent SIGTERM and has not gone yet */
  | 'stopping'
  | 'exited';

export interface TunnelState {
  phase: TunnelPhase;
  up: boolean;
  /** how many times ssh was started */
  startCount: number;
  /** when the backoff wait ends, on the driver's clock (ms); null unless backing off */
  backoffDueMs: number | null;
  exitCode: number | null;
}

export function tunnelStateOf(snapshot: AutosshSnapshot): TunnelState {
  const phase = phaseOf(snapshot);
  const { context } = snapshot;
  return {
    phase,
    up: phase === 'up' || phase === 'testing',
    startCount: context.startCount,
    backoffDueMs: phase === 'backingOff' ? (context.timers.backoff ?? null) : null,
    exitCode: phase === 'exited' ? (context.exitCode ?? 1) : null,
  };
}

function phaseOf(snapshot: AutosshSnapshot): TunnelPhase {
  if (snapshot.status !== 'active') return 'exited';
  if (snapshot.matches('sshRunning')) {
    // `connecting`, or a test that POLL_DUE started before the session was shown (D9)
    if (!snapshot.context.sessionShown) return 'connecting';
    return snapshot.matches({ sshRunning: 'testing' }) ? 'testing' : 'up';
  }
  if (snapshot.matches('backingOff')) return 'backingOff';
  if (snapshot.matches('stopping')) return 'stopping';
  return 'starting';
}
