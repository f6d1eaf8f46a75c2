// Per-fault measurements from what was observed: pure, so it is unit-tested on made-up data.
//
// For fault i, the window runs from its start to the next fault's start (or the end of the
// observation, just before the lab stops the supervisors):
// - detectMs: fault start -> the first ssh that was running at the fault start is gone (killed by
//   the supervisor or exited by itself). null: every such ssh outlived the window (or none ran).
// - recoverMs: fault end -> the first answer to a canary sent at or after the fault end. null:
//   no such answer within the window.
// - canariesLost: canaries sent from the fault start until that answer (or the window end) that
//   were never answered.
// - sshStarts: ssh processes started inside the window: the supervisor's own "starting ssh" log
//   lines when it writes them (an ssh that fails at once lives less than one /proc poll), else
//   the ssh processes seen in /proc.
// - maxRttMs: the slowest answered canary sent during the fault (latency faults show here).
// - attribution: who ended ssh (attribution.ts), from the log and stderr lines and the ssh lives.
import { attributeFault, type Attribution } from './attribution.js';
import type { CanaryRecord } from './canary.js';
import type { TimedLine, OutputLine, SshLife } from './supervisor.js';

const STARTING_SSH = /starting ssh \(count \d+\)/;

export interface FaultTimes {
  label: string;
  startMs: number;
  endMs: number;
  /** Switching it off closes connections (attribution's faultEnd); default false. */
  endCloses?: boolean;
}

export interface FaultMeasurement {
  fault: string;
  detectMs: number | null;
  recoverMs: number | null;
  canariesLost: number;
  sshStarts: number;
  maxRttMs: number | null;
  attribution: Attribution;
}

export function measureFaults(
  faults: readonly FaultTimes[],
  sshLives: readonly SshLife[],
  canaries: readonly CanaryRecord[],
  runEndMs: number,
  log: readonly TimedLine[] = [],
  /** Log and stderr lines in the order seen; default: the log alone. */
  lines: readonly OutputLine[] = log.map((l) => ({ ...l, source: 'log' as const })),
): FaultMeasurement[] {
  return faults.map((fault, i) => {
    const windowEnd = faults[i + 1]?.startMs ?? runEndMs;
    const runningAtStart = sshLives.filter((l) => l.startMs <= fault.startMs && (l.endMs === null || l.endMs > fault.startMs));
    const ends = runningAtStart.map((l) => l.endMs).filter((e): e is number => e !== null && e <= windowEnd);
    const detectMs = ends.length > 0 ? Math.min(...ends) - fault.startMs : null;

    let recoveredAt: number | null = null;
    for (const p of canaries) {
      if (p.sentMs >= fault.endMs && p.answeredMs !== null && p.answeredMs <= windowEnd) {
        if (recoveredAt === null || p.answeredMs < recoveredAt) recoveredAt = p.answeredMs;
      }
    }
    const lostUntil = recoveredAt ?? windowEnd;
    const canariesLost = canaries.filter((p) => p.sentMs >= fault.startMs && p.sentMs < lostUntil && p.answeredMs === null).length;
    const seenStarts = sshLives.filter((l) => l.startMs > fault.startMs && l.startMs < windowEnd).length;
    const loggedStarts = log.filter((l) => l.ms >= fault.startMs && l.ms < windowEnd && STARTING_SSH.test(l.text)).length;
    const sshStarts = Math.max(seenStarts, loggedStarts);
    let maxRttMs: number | null = null;
    for (const p of canaries) {
      if (p.sentMs >= fault.startMs && p.sentMs < fault.endMs && p.answeredMs !== null) {
        maxRttMs = Math.max(maxRttMs ?? 0, p.answeredMs - p.sentMs);
      }
    }
    return {
      fault: fault.label,
      detectMs: detectMs === null ? null : Math.max(0, detectMs),
      recoverMs: recoveredAt === null ? null : recoveredAt - fault.endMs,
      canariesLost,
      sshStarts,
      maxRttMs,
      attribution: attributeFault({ fault, windowEndMs: windowEnd, sshLives, lines }),
    };
  });
}

/** Median and worst of the values that are not null; null when there are none. */
export function medianAndWorst(values: ReadonlyArray<number | null>): { median: number | null; worst: number | null; missing: number } {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const missing = values.length - present.length;
  if (present.length === 0) return { median: null, worst: null, missing };
  const mid = Math.floor(present.length / 2);
  const median = present.length % 2 === 1 ? present[mid]! : (present[mid - 1]! + present[mid]!) / 2;
  return { median, worst: present.at(-1)!, missing };
}
