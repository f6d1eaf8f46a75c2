// AUTOSSH_POLL read back out of 1.4g's grace time (src/machine/decisions/grace-time.ts): after
// five fast starts in a row autossh waits min(trunc(POLL/100 * t * t/3), POLL) s before the next.
// At LOG_DEBUG the log says the tries and the wait outright; at the default level only the gap
// between an exit and the next start shows the wait, to the second. Each POLL from 1 s to a day
// is tried against every observation; what is left is what the log allows.
import { decideGrace, graceSecondsAfter, N_FAST_TRIES } from '../../src/machine/decisions/grace-time.js';

export const MAX_POLL_SECONDS = 86_400;
/** observations looked at: enough to pin POLL, bounded so a year of restarts stays quick */
const MAX_OBSERVATIONS = 200;

/** LOG_DEBUG: "checking for grace period, tries = T", then "sleeping for grace time N secs" or nothing */
export interface LoggedGrace {
  tries: number;
  graceSeconds: number;
}

/** the default level: a start, and the line that ended the ssh before it */
export interface ObservedRestart {
  /** the previous start, the end that led to this restart, this start: ms */
  previousStartMs: number;
  endMs: number;
  startMs: number;
}

/** POLL values (sorted) that explain every observation; null when nothing constrains POLL. */
export function pollCandidates(
  logged: readonly LoggedGrace[],
  restarts: readonly ObservedRestart[],
  bounds: { min: number; max: number },
): number[] | null {
  const graces = logged.filter((g) => g.tries > N_FAST_TRIES).slice(0, MAX_OBSERVATIONS);
  const observed = restarts.slice(0, MAX_OBSERVATIONS);
  if (graces.length === 0 && observed.length <= N_FAST_TRIES) return null;
  const out: number[] = [];
  for (let poll = Math.max(1, bounds.min); poll <= Math.min(bounds.max, MAX_POLL_SECONDS); poll++) {
    if (!graces.every((g) => graceSecondsAfter(g.tries, poll) === g.graceSeconds)) continue;
    if (logged.length === 0 && !explainsGaps(observed, poll)) continue;
    out.push(poll);
  }
  return out;
}

/** the gaps between each end and the next start, as 1.4g would have waited with this POLL, to ±1 s */
function explainsGaps(restarts: readonly ObservedRestart[], pollSeconds: number): boolean {
  let tries = 0;
  for (const r of restarts) {
    const grace = decideGrace(tries, r.previousStartMs, r.endMs, pollSeconds);
    tries = grace.tries;
    if (Math.abs(r.startMs - r.endMs - grace.graceSeconds * 1000) > 1000) return false;
  }
  return true;
}

/** [1, 2, 3, 7] -> "1..3, 7" (at most a few ranges, then "…") */
export function describeCandidates(values: readonly number[]): string {
  const ranges: string[] = [];
  let i = 0;
  while (i < values.length && ranges.length < 4) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    ranges.push(i === j ? String(values[i]) : `${values[i]}..${values[j]}`);
    i = j + 1;
  }
  return `${ranges.join(', ')}${i < values.length ? ', …' : ''}`;
}
