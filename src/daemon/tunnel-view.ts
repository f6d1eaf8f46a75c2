// A daemon tunnel's state, as /ready, /status, the metrics and STATUS= show it: its current
// run's machine state (tunnelStateOf, where "up" is defined), or, between runs, what the
// restart policy does: `restarting` (a wait before the next run), `stopped` (we stopped it: a
// reload, a signal to exit) or `exited` (it ended and the policy starts no other run).
// Neither `restarting` nor `stopped` is up. Pure.
import type { TunnelPhase, TunnelState } from '../driver/tunnel-state.js';
import type { LoopPhase, RestartWait, FinalEnd } from './restart-loop.js';
import { runEndWords, type RestartMode, type RunEnd, type RunEndReason } from './restart-policy.js';
import { wholeSeconds } from '../driver/wait-left.js';

export type DaemonPhase =
  | TunnelPhase
  /** its run ended; the restart policy starts the next one when the wait is over */
  | 'restarting'
  /** stopped on purpose: a reload removed or changed it, or the daemon is exiting */
  | 'stopped';

export const DAEMON_PHASES: readonly DaemonPhase[] = [
  'starting', 'connecting', 'up', 'testing', 'backingOff', 'stopping', 'restarting', 'stopped', 'exited',
];

export interface DaemonTunnelState {
  phase: DaemonPhase;
  up: boolean;
  /** ssh starts in the current (or last) run */
  startCount: number;
  /** the machine's backoff wait inside the run; null unless backingOff */
  backoffDueMs: number | null;
  /** the run's exit code once the tunnel ended for good (`exited`, `stopped`); else null */
  exitCode: number | null;
  policy: RestartMode;
  /** runs of its machine started */
  runs: number;
  /** the wait before the next run, while `restarting` */
  restart: RestartWait | null;
  /** why no run follows, once ended */
  final: FinalEnd | null;
}

/** What the restart loop says about a tunnel (./restart-loop.ts). */
export interface LoopView {
  phase: LoopPhase;
  policy: RestartMode;
  runs: number;
  wait: RestartWait | null;
  final: FinalEnd | null;
}

/** `loop` null: a tunnel run without a restart policy (its machine's state alone). */
export function daemonStateOf(machine: TunnelState, loop: LoopView | null): DaemonTunnelState {
  const base = {
    up: false, startCount: machine.startCount, backoffDueMs: null, exitCode: null,
    policy: loop?.policy ?? 'no', runs: loop?.runs ?? 1, restart: null, final: loop?.final ?? null,
  } satisfies Omit<DaemonTunnelState, 'phase'>;
  switch (loop?.phase ?? 'running') {
    case 'idle':
      return { ...base, phase: 'starting' };
    case 'waiting':
      return { ...base, phase: 'restarting', restart: loop!.wait };
    case 'ended': {
      const final = loop!.final!;
      return { ...base, phase: final.reason === 'stopped' ? 'stopped' : 'exited', exitCode: final.code };
    }
    case 'running':
      return { ...base, phase: machine.phase, up: machine.up, backoffDueMs: machine.backoffDueMs, exitCode: machine.exitCode };
  }
}

/** "restarting in 30 s (policy always, run 4 ended: maximum start count reached)" */
export function restartingWords(wait: { seconds: number; policy: RestartMode; run: number; reason: RunEnd | RunEndReason }): string {
  return `restarting in ${wholeSeconds(wait.seconds)} s (policy ${wait.policy}, run ${wait.run} ended: ${runEndWords(wait.reason)})`;
}
