// Durations and time points as people write them in incident notes: "90s", "+5m", "1h30m",
// "250ms", or an ISO 8601 instant. Everything becomes integer ms; nothing reads a clock.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** "1h30m" -> 5_400_000; "90s"; "250ms"; a bare number is seconds. null if malformed. */
export function parseDurationMs(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const match = PART.exec(s);
    if (!match || match.index !== at) return null;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return Math.round(total);
}

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
  const rel = parseDurationMs(text.startsWith('+') ? text.slice(1) : text);
  return rel === null ? null : { kind: 'relative', offsetMs: rel };
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
