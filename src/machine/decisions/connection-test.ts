// 1.4g's connection test (conn_test), the rules every world shares: the real adapter
// (src/adapters/connection-test.ts) and the simulated worlds (sim/) all time out and fail the
// same way. Each wait is bounded by the net timeout (min(15 s, POLL/2)). The loop form sends
// into -M wp and waits for the reply to come back to wp+1: one accept that times out ends the
// test. Otherwise a test tries twice, each try waiting one net timeout for the reply, so a test
// that hears nothing at all gives up after one net timeout (loop form) or two (echo form).
import type { Monitor } from '../config/types.js';

/** How often a test sends its line and waits for it to come back. */
export const PROBE_ATTEMPTS = 2;

/** Why a test failed, in 1.4g's words (they reach the log at LOG_DEBUG). */
export const PROBE_FAILURES = {
  /** the loop form: the reply's connection never came back to wp+1 */
  acceptTimedOut: 'timeout polling to accept read connection',
  /** a try sent its line and nothing came back in time */
  replyTimedOut: 'timeout on io poll',
  /** nothing listens on wp: ssh has no forward (yet, or any more) */
  refused: 'Connection refused',
} as const;

export interface SilentTestFailure {
  /** how long after it starts a test that hears nothing gives up */
  afterMs: number;
  reason: string;
}

/** A test whose bytes vanish (a blackhole, a stuck ssh): when it gives up, and what it says. */
export function silentTestFailure(monitor: Monitor, netTimeoutMs: number): SilentTestFailure {
  return monitor.form === 'loop'
    ? { afterMs: netTimeoutMs, reason: PROBE_FAILURES.acceptTimedOut }
    : { afterMs: PROBE_ATTEMPTS * netTimeoutMs, reason: PROBE_FAILURES.replyTimedOut };
}
