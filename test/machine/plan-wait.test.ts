// planWait: the one place that orders the waits before a start (D10's forward retry, else 1.4g's
// grace time, plus D12's jitter). Checked against the three decisions it composes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardRetrySeconds } from '../../src/machine/decisions/forward-retry.js';
import { decideGrace, N_FAST_TRIES } from '../../src/machine/decisions/grace-time.js';
import { jitterMs } from '../../src/machine/decisions/jitter.js';
import { planWait, type WaitFacts } from '../../src/machine/decisions/plan-wait.js';

const facts = (over: Partial<WaitFacts>): WaitFacts => ({
  forwardFailures: 0, graceTries: 0, lastStartMs: null, nowMs: 0, pollSeconds: 600, startNumber: 2, jitterSeed: 7, jitterSeconds: 0, ...over,
});
/** a start 1 s after the previous one, with `tries` fast tries already counted */
const fast = (tries: number): Partial<WaitFacts> => ({ graceTries: tries, lastStartMs: 0, nowMs: 1000 });

describe('planWait', () => {
  it('no forward run, no grace, no jitter: start now', () => {
    expect(planWait(facts({}))).toEqual({ waitMs: 0, rule: null, graceTries: 0, graceSeconds: 0, forwardRetrySeconds: 0, jitterMs: 0 });
  });

  it('grace time once the fast tries pass N_FAST_TRIES, counted on every plan', () => {
    const plan = planWait(facts(fast(N_FAST_TRIES)));
    expect(plan.rule).toBe('graceTime');
    expect(plan.graceTries).toBe(N_FAST_TRIES + 1);
    expect(plan.waitMs).toBe(plan.graceSeconds * 1000);
    expect(plan.graceSeconds).toBeGreaterThan(0);
  });

  it('a forward-retry run goes before grace time, which is still counted', () => {
    const plan = planWait(facts({ ...fast(N_FAST_TRIES + 3), forwardFailures: 2 }));
    expect(plan).toMatchObject({ rule: 'forwardRetry', forwardRetrySeconds: 4, waitMs: 4000, graceTries: N_FAST_TRIES + 4 });
    expect(plan.graceSeconds).toBeGreaterThan(0);
  });

  it('jitter alone is a wait of its own, and is added to either other wait', () => {
    const jittered = facts({ jitterSeconds: 30, startNumber: 5 });
    const extra = jitterMs(7, 5, 30);
    expect(extra).toBeGreaterThan(0);
    expect(planWait(jittered)).toMatchObject({ rule: 'jitter', waitMs: extra, jitterMs: extra });
    expect(planWait({ ...jittered, forwardFailures: 1 })).toMatchObject({ rule: 'forwardRetry', waitMs: 2000 + extra });
  });

  it('is the three decisions composed in that order, for any facts', () => {
    const arb = fc.record({
      forwardFailures: fc.integer({ min: 0, max: 20 }), graceTries: fc.integer({ min: 0, max: 30 }),
      lastStartMs: fc.option(fc.integer({ min: 0, max: 1e9 })), nowMs: fc.integer({ min: 0, max: 2e9 }),
      pollSeconds: fc.integer({ min: 1, max: 86_400 }), startNumber: fc.integer({ min: 1, max: 1e6 }),
      jitterSeed: fc.integer(), jitterSeconds: fc.integer({ min: 0, max: 3600 }),
    });
    fc.assert(fc.property(arb, (f) => {
      const plan = planWait(f);
      const grace = decideGrace(f.graceTries, f.lastStartMs, f.nowMs, f.pollSeconds);
      const extra = jitterMs(f.jitterSeed, f.startNumber, f.jitterSeconds);
      const baseMs = f.forwardFailures > 0 ? forwardRetrySeconds(f.forwardFailures) * 1000 : grace.graceSeconds * 1000;
      expect(plan.waitMs).toBe(baseMs + extra);
      expect(plan.graceTries).toBe(grace.tries);
      expect(plan.rule === null).toBe(plan.waitMs === 0);
    }));
  });
});
