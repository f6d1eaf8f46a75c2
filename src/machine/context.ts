// What the machine remembers between events. Everything a decision needs is here or in the
// event, so a persisted snapshot restores a supervisor exactly (timers included).
import type { Config } from './config/types.js';
import type { WaitRule } from './decisions/plan-wait.js';
import type { TimerName } from './events.js';

export interface MachineInput {
  config: Config;
}

/** Why the ssh being stopped is stopped: what to do once it has been reaped. */
export type AfterStop = 'restart' | 'exitAtLifetime' | 'exitSignalled';

export interface MachineContext {
  config: Config;
  lifetimeDeadlineMs: number | null;
  /** how many times ssh was started (1.4g's start_count) */
  startCount: number;
  /** when the latest ssh was started: its run time, and the fast-try count of the next start */
  lastStartMs: number | null;
  /**
   * the latest ssh's session was shown to be up in its own life: by D9's evidence, or by a
   * connection test that passed. True from its start when D9 is off for it (1.4g takes a running
   * ssh for up); "up" in src/driver/tunnel-state.ts reads it.
   */
  sessionShown: boolean;
  graceTries: number;
  graceSeconds: number;
  /** the wait before the next start, and the rule that set it */
  waitMs: number;
  waitRule: WaitRule | 'spawnRetry';
  /** "remote port forwarding failed" in a row (D10): the short retry schedule's place */
  forwardFailures: number;
  /** starts in a row that failed for now (out of descriptors...): the spawn retry schedule's place */
  spawnFailures: number;
  /** the start number of the latest of them: the next start failing too makes the row longer */
  spawnFailedStart: number;
  probeSeq: number;
  /** once a signal to exit came, always 'exitSignalled': whatever else happens, the end is exit 1 */
  afterStop: AfterStop;
  /** SIGKILL already sent to the ssh being stopped */
  killEscalated: boolean;
  exitCode: number | null;
  /** armed timers and their due times (ms), so a restored snapshot can re-arm them */
  timers: Partial<Record<TimerName, number>>;
}
