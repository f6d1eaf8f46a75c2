// The two waits of a chaos run that watch the canaries: before the schedule, until every tunnel
// carries traffic; after it, until every tunnel carries traffic again. Both are bounded.
import type { RunClock } from './run-clock.js';
import type { ChaosTunnel } from './tunnels.js';

/** Often enough that the schedule starts within one canary interval or so of the tunnel coming up. */
const CHECK_INTERVAL_MS = 50;

/** Throws, saying why, when a supervisor exits first or `timeoutMs` passes. */
export async function waitUntilCarrying(tunnels: readonly ChaosTunnel[], clock: RunClock, timeoutMs: number): Promise<void> {
  const deadlineMs = clock.now() + timeoutMs;
  const carrying = (t: ChaosTunnel): boolean => t.canary.records.some((r) => r.answeredMs !== null);
  for (;;) {
    clock.checkAbort();
    for (const { supervisor } of tunnels) {
      const why = supervisor.exitReason();
      if (why) throw new Error(`the tunnel never came up: ${why}`);
    }
    if (tunnels.every(carrying)) return;
    if (clock.now() > deadlineMs) {
      const down = tunnels.filter((t) => !carrying(t)).map((t) => t.supervisor);
      throw new Error(`the tunnel never came up within ${timeoutMs} ms for ${down.map((s) => s.label).join(', ')}:\n${down.map((s) => s.describe()).join('\n')}`);
    }
    await clock.sleep(CHECK_INTERVAL_MS);
  }
}

/**
 * Until every tunnel has answered a canary sent at or after `sinceMs`, at most `timeoutMs`; a
 * tunnel that does not recover is what the measurements then report, not an error. Stops early
 * when every supervisor has exited, since then nothing can recover.
 */
export async function waitForRecovery(tunnels: readonly ChaosTunnel[], clock: RunClock, sinceMs: number, timeoutMs: number): Promise<void> {
  const deadlineMs = clock.now() + timeoutMs;
  while (clock.now() < deadlineMs && !tunnels.every((t) => t.canary.firstAnswerSentFrom(sinceMs) !== null)) {
    if (tunnels.every((t) => t.supervisor.exitReason() !== undefined)) return;
    await clock.sleep(CHECK_INTERVAL_MS);
  }
}
