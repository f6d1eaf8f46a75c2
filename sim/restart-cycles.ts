// How many ssh starts autossh makes while every ssh fails after the same time: the arithmetic of
// 1.4g's grace time (src/machine/decisions/grace-time.ts) without running the machine. Used to
// estimate a simulation's work before it runs (sim/replay/work-estimate.ts,
// sim/oracle/work-estimate.ts), so a run of millions of restarts is refused with its figure.
import { decideGrace } from '../src/machine/decisions/grace-time.js';

/** After this many starts the waits have settled (tries reset each time, or capped at POLL). */
const SETTLING_STARTS = 64;

/**
 * The starts within `windowMs` when each ssh fails `lifeMs` after its start and autossh waits its
 * grace time before the next. The first tries come fast; once the waits settle the rest is one
 * division, so a window of a year costs no more than one of a minute.
 */
export function startsWithin(windowMs: number, lifeMs: number, pollSeconds: number): number {
  if (windowMs <= 0) return 0;
  let elapsedMs = 0;
  let tries = 0;
  let starts = 0;
  for (let i = 0; i < SETTLING_STARTS && elapsedMs < windowMs; i++) {
    starts++;
    const grace = decideGrace(tries, 0, lifeMs, pollSeconds);
    tries = grace.tries;
    const cycleMs = lifeMs + grace.graceSeconds * 1000;
    elapsedMs += cycleMs;
    const settled = grace.tries === 0 || grace.graceSeconds >= pollSeconds;
    if (settled && elapsedMs < windowMs) return starts + Math.ceil((windowMs - elapsedMs) / Math.max(cycleMs, 1));
  }
  return starts;
}
