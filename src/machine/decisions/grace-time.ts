// 1.4g's grace_time: starts that come less than max(POLL/10, 10) s after the previous start
// count as fast tries; after N_FAST_TRIES of them, wait a quadratic amount, capped at POLL.
export const N_FAST_TRIES = 5;

export interface GraceDecision {
  tries: number;
  graceSeconds: number;
}

export function fastStartThresholdSeconds(pollSeconds: number): number {
  return Math.max(Math.trunc(pollSeconds / 10), 10);
}

export function decideGrace(
  previousTries: number,
  lastStartMs: number | null,
  nowMs: number,
  pollSeconds: number,
): GraceDecision {
  const ranLongEnough = lastStartMs === null || nowMs - lastStartMs >= fastStartThresholdSeconds(pollSeconds) * 1000;
  const tries = ranLongEnough ? 0 : previousTries + 1;
  return { tries, graceSeconds: graceSecondsAfter(tries, pollSeconds) };
}

/** The wait before the start that makes `tries` fast tries in a row: 0 up to N_FAST_TRIES. */
export function graceSecondsAfter(tries: number, pollSeconds: number): number {
  if (tries <= N_FAST_TRIES) return 0;
  const t = tries - N_FAST_TRIES;
  // the same double arithmetic as the C expression, so the same truncation
  const n = Math.trunc((pollSeconds / 100.0) * (t * (t / 3)));
  return Math.min(n, pollSeconds);
}
