// When the next connection test is due (1.4g's ssh_watch alarm). The poll counts from the
// end of the previous test. Near the end of a MAXLIFETIME, 1.4g sets its one alarm to the
// lifetime instead of the poll, so no test runs in the last poll interval of life.
export function nextPollDueMs(
  nowMs: number,
  waitSeconds: number,
  pollSeconds: number,
  lifetimeDeadlineMs: number | null,
): number | null {
  if (lifetimeDeadlineMs !== null && lifetimeDeadlineMs - nowMs < pollSeconds * 1000) return null;
  return nowMs + waitSeconds * 1000;
}
