// The one duration grammar of the lab's files and options: "90s", "1h30m", "250ms", "1.5s",
// "2d". Formats disagree only on what a bare number means (a timeline's "90" is seconds, a chaos
// schedule's "500" is milliseconds), so the caller says it: one name, one meaning.

export type BareNumberUnit = 'seconds' | 'milliseconds';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const BARE_UNIT_MS: Readonly<Record<BareNumberUnit, number>> = { seconds: 1000, milliseconds: 1 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Whole ms from "1h30m", "90s", "250ms" or a bare number in `bareNumberUnit`; null if malformed. */
export function parseDurationMs(text: string, bareNumberUnit: BareNumberUnit): number | null {
  const s = text.trim();
  if (s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * BARE_UNIT_MS[bareNumberUnit]);
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
