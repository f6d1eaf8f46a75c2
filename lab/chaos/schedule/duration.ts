// Times in schedule files: a number of milliseconds, or a string with a unit ("500ms", "5s",
// "1.5s", "2m").

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };

/** Milliseconds from `value`, or an error message naming `what`. */
export function parseDurationMs(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new Error(`${what}: expected a time of 0 ms or more, got ${value}`);
  }
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
    if (match) return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!);
  }
  throw new Error(`${what}: expected milliseconds or a time like "500ms", "5s", "1.5s", "2m", got ${JSON.stringify(value)}`);
}

export function formatSeconds(ms: number | null, digits = 2): string {
  return ms === null ? '-' : `${(ms / 1_000).toFixed(digits)} s`;
}
