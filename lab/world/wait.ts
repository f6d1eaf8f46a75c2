// Bounded waiting. Every wait in the tests has a deadline and says what it waited for, so a
// failure reads "timed out after 10000 ms waiting for: tunnel on 127.0.0.1:40123" instead of a
// bare vitest timeout.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export interface WaitOptions {
  timeoutMs: number;
  /** Pause between tries. */
  intervalMs?: number;
  /** Named in the error on timeout. */
  what: string;
  /**
   * Checked before every try: a returned string aborts the wait at once with that reason
   * (e.g. "supervisor exited with code 1"), so a broken run fails fast instead of at the deadline.
   */
  abortIf?: () => string | undefined;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/**
 * Calls `check` until it returns a value other than undefined/false, and returns that value.
 * A `check` that throws counts as "not yet"; the last error is quoted on timeout.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions,
): Promise<T> {
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const abort = opts.abortIf?.();
    if (abort !== undefined) throw new Error(`gave up waiting for: ${opts.what}: ${abort}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new WaitTimeoutError(
        `timed out after ${opts.timeoutMs} ms waiting for: ${opts.what}${why}`,
      );
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
