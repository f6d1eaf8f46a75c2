// A fleet's durations as people should read them. A fleet figure is a statistic over thousands
// of randomly drawn faults: its last digits are the seed's, not the configuration's, so a
// downtime of hours is given to the second and one of days to the minute, never to the ms.
// (--json keeps every figure exact; a replay, one incident, keeps its ms.)
import { formatDuration } from '../timeline/duration.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The unit a duration of this size is rounded to: 1 ms under 1 s, 0.1 s under 1 min, 1 s under 1 day, 1 min from a day. */
export function roundingUnitMs(ms: number): number {
  const size = Math.abs(ms);
  if (size >= DAY_MS) return MINUTE_MS;
  if (size >= MINUTE_MS) return SECOND_MS;
  if (size >= SECOND_MS) return 100;
  return 1;
}

/** 12_345_678 ms -> "3h25m46s"; 2 days and 1.5 s -> "2d"; 1234 ms -> "1.2s"; 345 ms -> "0.345s". */
export function formatRoundedDuration(ms: number): string {
  const unit = roundingUnitMs(ms);
  return formatDuration(Math.round(ms / unit) * unit);
}
