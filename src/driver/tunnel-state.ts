// What "up" means, said once for every consumer: the daemon's /ready, /status and
// autossh_tunnel_up, and sd_notify's STATUS= lines. READY=1 does not wait for it: it says only
// that start-up is done (src/cli/readiness.ts).
//
// "Up" is what the machine can tell, not proof that the session works. It is read from the
// machine's `sessionShown`, which each ssh start sets:
// - D9 off for the tunnel (the drop-in's default: AUTOSSH_CONNECTTIME=0 unless AUTOSSH_LIVENESS;
//   or no -L/-D port and no -v line to watch): true from the start. A running ssh is up from
//   the moment it is started, before any evidence or passed connection test, as 1.4g assumes,
//   and stays up while a test is in flight, its first one included; only a failed test (which
//   stops ssh at once) or ssh's end takes it down.
// - D9 on: false until this ssh's session is shown: its evidence came (the -L/-D listener, or
//   ssh's "Authenticated to" line), or a connection test passed in its life. Until then the
//   tunnel is `connecting`, also while a test that POLL started early (a POLL shorter than
//   CONNECTTIME) runs; once shown, it is up for the rest of that ssh's life, tests included.
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
