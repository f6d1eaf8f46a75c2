// What is left of a tunnel's wait (the machine's backoff, the daemon's restart wait), the one
// way every report says it: /status and the metrics in seconds, STATUS=, the logs and
// `lab status` in whole seconds rounded up. A wait past due but not yet handled has 0 left.

/** Seconds left of a wait due at `dueMs` (ms on the tunnel's clock), never below 0. */
export function secondsLeft(dueMs: number, nowMs: number): number {
  return Math.max(0, dueMs - nowMs) / 1000;
}

/** Seconds rounded up to whole ones, as the words say them ("backing off 32 s"), never below 0. */
export function wholeSeconds(seconds: number): number {
  return Math.max(0, Math.ceil(seconds));
}
