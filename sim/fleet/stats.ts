// Order statistics over a fleet: nearest-rank percentiles, so the figures are values some
// tunnel really had.
/** A fleet's spread of one figure (downtime, ssh starts): not a probability law, see fault-model.ts. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentilesOf(values: Float64Array | number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const rank = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[n - 1]!, mean: sum / n };
}
