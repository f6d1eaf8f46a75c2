// Time points as people write them in incident notes: "+5m", "90s", "1h30m" after the start, or
// an ISO 8601 instant; and durations written back for people. Everything is integer ms; nothing
// reads a clock. The duration grammar itself is sim/schema/duration.ts (a bare number: seconds).
import { parseDurationMs } from '../schema/duration.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 instant with a zone ("2024-05-01T03:00:00Z") -> epoch ms, or null. */
export function parseIsoMs(text: string): number | null {
  if (!ISO_INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

export type TimePoint = { kind: 'relative'; offsetMs: number } | { kind: 'absolute'; epochMs: number };

/** "+5m" or "90s" (relative to the timeline's start) or an ISO instant. */
export function parseTimePoint(text: string): TimePoint | null {
  const iso = parseIsoMs(text);
  if (iso !== null) return { kind: 'absolute', epochMs: iso };
  const rel = parseOffsetMs(text);
  return rel === null ? null : { kind: 'relative', offsetMs: rel };
}

/** A timeline's duration or offset: "+5m", "90s", "1h30m"; the "+" is optional, a bare number is seconds. */
export function parseOffsetMs(text: string): number | null {
  return parseDurationMs(text.startsWith('+') ? text.slice(1) : text, 'seconds');
}

/** 5_400_000 -> "1h30m"; 1500 -> "1.5s". For messages and summaries. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(rest % 1000 === 0 ? `${rest / 1000}s` : `${(rest / 1000).toFixed(3).replace(/0+$/, '')}s`);
  return sign + parts.join('');
}

/** ms since the start -> "+01:02:03.004" (hours may exceed 24). */
export function formatOffset(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const frac = ms % 1000;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `+${pad(h)}:${pad(m)}:${pad(s)}.${pad(frac, 3)}`;
}
