// A seeded PRNG small enough to give every tunnel its own: mulberry32, one 32-bit word of state
// (Tommy Ettinger's public-domain generator). Not for cryptography; plenty for fault draws.
export class Prng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** exponential with this mean (a Poisson process's gaps) */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** standard normal, Box-Muller (one draw per call: no hidden cached state) */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** A well-mixed 32-bit seed for stream `index` of run seed `seed` (splitmix-style finaliser). */
export function streamSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
