// D12: AUTOSSH_JITTER spreads restarts, so a thousand tunnels cut at once by a relay's restart
// do not all reconnect to it in the same second. Each restart waits an extra 0 to JITTER s,
// drawn from (the supervisor's seed, the start's number): the same supervisor makes the same
// draws (same seed, same numbers), two supervisors make different ones. No clock, no Math.random.

/** The extra wait before start `startNumber` (2, 3, ...); 0 for the first start or with jitter off. */
export function jitterMs(seed: number, startNumber: number, jitterSeconds: number): number {
  if (jitterSeconds <= 0 || startNumber <= 1) return 0;
  return mix32(seed, startNumber) % (jitterSeconds * 1000);
}

/** A 32-bit integer hash of two numbers (murmur3's finaliser over their combination). */
function mix32(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
