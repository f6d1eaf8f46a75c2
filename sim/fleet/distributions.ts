import type { Distribution } from './fault-model.js';
import type { Prng } from './prng.js';

/** One draw, whole ms, at least 1 ms (a fault that lasts nothing is no fault). */
export function sampleMs(d: Distribution, prng: Prng): number {
  let ms: number;
  switch (d.dist) {
    case 'fixed': ms = d.valueMs; break;
    case 'exponential': ms = prng.exponential(d.meanMs); break;
    case 'lognormal': ms = Math.min(d.maxMs, d.medianMs * Math.exp(d.sigma * prng.normal())); break;
    case 'uniform': ms = d.minMs + (d.maxMs - d.minMs) * prng.next(); break;
  }
  return Math.max(1, Math.round(ms));
}
