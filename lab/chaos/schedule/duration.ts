// Times in chaos output: seconds with a fixed number of decimals. (Schedule files' times are read
// by sim/schema/duration.ts, where a bare number is milliseconds for a schedule.)

export function formatSeconds(ms: number | null, digits = 2): string {
  return ms === null ? '-' : `${(ms / 1_000).toFixed(digits)} s`;
}
