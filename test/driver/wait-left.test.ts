import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secondsLeft, wholeSeconds } from '../../src/driver/wait-left.js';

describe('what is left of a wait', () => {
  it('in seconds, to the ms, and 0 once due', () => {
    expect(secondsLeft(12_345, 10_000)).toBe(2.345);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 10_001)).toBe(0);
  });

  it('in whole seconds rounded up: a wait not over yet never reads 0', () => {
    expect(wholeSeconds(2.345)).toBe(3);
    expect(wholeSeconds(0.001)).toBe(1);
    expect(wholeSeconds(2)).toBe(2);
    expect(wholeSeconds(0)).toBe(0);
    expect(wholeSeconds(-1.5)).toBe(0);
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), (dueMs, nowMs) => {
      const seconds = wholeSeconds(secondsLeft(dueMs, nowMs));
      expect(seconds * 1000).toBeGreaterThanOrEqual(dueMs - nowMs);
      expect(seconds > 0).toBe(dueMs > nowMs);
      expect(seconds * 1000 - Math.max(0, dueMs - nowMs)).toBeLessThan(1000);
    }));
  });
});
