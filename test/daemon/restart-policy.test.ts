// The restart policy as a pure function (src/daemon/restart-policy.ts): which mode restarts
// what, restart_sec, the start limit, the grown wait and its cap, the jitter; then the same
// rules for any history fast-check makes up.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RESTART_POLICY,
  planRestart,
  restartJitterOf,
  type RestartPolicy,
  type RunEnd,
  type RunRecord,
} from '../../src/daemon/restart-policy.js';

const POLICY: RestartPolicy = { mode: 'always', restartMs: 1_000, startLimitBurst: 3, startLimitIntervalMs: 10_000, maxDelayMs: 8_000 };
const NO_JITTER = (): number => 0;

/** runs that each lasted `runMs` and were followed by the wait given, starting at 0 */
function history(runs: Array<{ runMs: number; waitMs?: number; code?: number; reason?: RunEnd }>): RunRecord[] {
  let atMs = 0;
  return runs.map((r, i) => {
    const startedAtMs = atMs;
    const endMs = startedAtMs + r.runMs;
    atMs = endMs + (r.waitMs ?? 1_000);
    return { run: i + 1, startedAtMs, end: { atMs: endMs, code: r.code ?? 0, reason: r.reason ?? 'max_start' } };
  });
}

describe('planRestart', () => {
  it('restart = "always" restarts after any end, restart_sec after it', () => {
    for (const [code, reason] of [[0, 'exited_ok'], [0, 'max_start'], [0, 'lifetime'], [1, 'exited_error'], [1, 'spawn_failed'], [1, 'start_failed']] as const) {
      const plan = planRestart(POLICY, history([{ runMs: 60_000, code, reason }]), 60_000, NO_JITTER);
      expect(plan).toEqual({ restart: true, atMs: 61_000, rule: 'restartSec', why: 'restart_sec = 1 s' });
    }
  });

  it('"on-failure" restarts only after status 1; "no" never; a stopped run never', () => {
    const onFailure = { ...POLICY, mode: 'on-failure' as const };
    expect(planRestart(onFailure, history([{ runMs: 60_000, code: 1, reason: 'spawn_failed' }]), 60_000, NO_JITTER)).toMatchObject({ restart: true, atMs: 61_000 });
    expect(planRestart(onFailure, history([{ runMs: 60_000, code: 0, reason: 'max_start' }]), 60_000, NO_JITTER)).toEqual({
      restart: false, why: 'restart = "on-failure" and run 1 ended with status 0 (maximum start count reached)',
    });
    expect(planRestart({ ...POLICY, mode: 'no' }, history([{ runMs: 60_000, code: 1, reason: 'exited_error' }]), 60_000, NO_JITTER)).toEqual({ restart: false, why: 'restart = "no"' });
    expect(planRestart(POLICY, history([{ runMs: 60_000, code: 1, reason: 'stopped' }]), 60_000, NO_JITTER)).toEqual({ restart: false, why: 'it was stopped' });
  });

  it('holds a start back until the burst-th start before it is a whole interval old', () => {
    // three runs of 100 ms, each restarted 1 s after: started at 0, 1.1 s, 2.2 s; the fourth
    // would start at 3.3 s, the limit says 10 s
    const runs = history([{ runMs: 100 }, { runMs: 100 }, { runMs: 5_000 }]);
    expect(planRestart(POLICY, runs, 7_200, NO_JITTER)).toMatchObject({ restart: true, atMs: 10_000, rule: 'startLimit' });
  });

  it('after burst short runs in a row, doubles the wait up to the cap, and a long run ends the streak', () => {
    const waits: number[] = [];
    const runs: RunRecord[] = [];
    let atMs = 0;
    for (let run = 1; run <= 8; run++) {
      runs.push({ run, startedAtMs: atMs, end: { atMs: atMs + 100, code: 1, reason: 'spawn_failed' } });
      const plan = planRestart({ ...POLICY, startLimitIntervalMs: 1_000 }, runs, atMs + 100, NO_JITTER);
      if (!plan.restart) throw new Error('no restart');
      waits.push(plan.atMs - (atMs + 100));
      atMs = plan.atMs;
    }
    // 1 s three times, then 2, 4, 8 (the cap), 8, 8
    expect(waits).toEqual([1_000, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
    // a run that lasted the interval: restart_sec again
    runs.push({ run: 9, startedAtMs: atMs, end: { atMs: atMs + 1_000, code: 0, reason: 'max_start' } });
    expect(planRestart({ ...POLICY, startLimitIntervalMs: 1_000 }, runs, atMs + 1_000, NO_JITTER)).toMatchObject({ atMs: atMs + 2_000, rule: 'restartSec' });
  });

  it('takes up to a tenth off a grown wait by the jitter, never below restart_sec', () => {
    const runs = history([{ runMs: 10 }, { runMs: 10 }, { runMs: 10 }, { runMs: 10 }, { runMs: 10 }, { runMs: 10 }]);
    const endMs = runs.at(-1)!.end!.atMs;
    const policy = { ...POLICY, startLimitIntervalMs: 1_000 };
    expect(planRestart(policy, runs, endMs, () => 0)).toMatchObject({ atMs: endMs + 8_000, rule: 'growing' });
    expect(planRestart(policy, runs, endMs, () => 0.5)).toMatchObject({ atMs: endMs + 7_600 });
    expect(planRestart(policy, runs, endMs, () => 0.999999)).toMatchObject({ atMs: endMs + 7_200 });
  });

  it('starts now, not in the past, when the plan is made late', () => {
    expect(planRestart(POLICY, history([{ runMs: 60_000 }]), 90_000, NO_JITTER)).toMatchObject({ atMs: 90_000 });
  });

  it('draws the jitter from the seed and the run: the same draws again, another seed others', () => {
    const a = restartJitterOf(1234);
    const draws = [2, 3, 4, 5, 6].map(a);
    expect([2, 3, 4, 5, 6].map(restartJitterOf(1234))).toEqual(draws);
    expect([2, 3, 4, 5, 6].map(restartJitterOf(1235))).not.toEqual(draws);
    for (const draw of draws) expect(draw >= 0 && draw < 1).toBe(true);
  });
});

const policyArb: fc.Arbitrary<RestartPolicy> = fc
  .record({
    mode: fc.constantFrom('always', 'on-failure', 'no'),
    restartMs: fc.integer({ min: 100, max: 20_000 }),
    startLimitBurst: fc.integer({ min: 1, max: 8 }),
    startLimitIntervalMs: fc.constantFrom(0, 1_000, 10_000, 60_000),
    extraDelayMs: fc.integer({ min: 0, max: 300_000 }),
  })
  .map(({ extraDelayMs, ...p }) => ({ ...p, maxDelayMs: p.restartMs + extraDelayMs }) as RestartPolicy);

const endArb = fc.record({
  runMs: fc.integer({ min: 0, max: 120_000 }),
  code: fc.constantFrom(0, 1),
  reason: fc.constantFrom<RunEnd>('exited_ok', 'exited_error', 'max_start', 'lifetime', 'spawn_failed', 'start_failed'),
});

describe('planRestart for any policy and history (fast-check)', () => {
  it('never restarts inside restart_sec nor past the burst, and waits no longer than the cap or the limit', () => {
    fc.assert(
      fc.property(policyArb, fc.array(endArb, { minLength: 1, maxLength: 40 }), fc.integer(), fc.integer({ min: 0, max: 5_000 }), (policy, ends, seed, lateMs) => {
        // the history the policy itself would have made: each next start where it planned it
        const runs: RunRecord[] = [];
        let startMs = 0;
        const jitter = restartJitterOf(seed);
        for (const [i, end] of ends.entries()) {
          const endMs = startMs + end.runMs;
          runs.push({ run: i + 1, startedAtMs: startMs, end: { atMs: endMs, code: end.code, reason: end.reason } });
          const plan = planRestart(policy, runs, endMs + lateMs, jitter);
          if (policy.mode === 'no' || (policy.mode === 'on-failure' && end.code === 0)) {
            expect(plan.restart).toBe(false);
            return;
          }
          if (!plan.restart) throw new Error('expected a restart');
          expect(plan.atMs).toBeGreaterThanOrEqual(endMs + policy.restartMs);
          expect(plan.atMs).toBeGreaterThanOrEqual(endMs + lateMs);
          if (policy.startLimitIntervalMs > 0) {
            const inWindow = runs.filter((r) => r.startedAtMs > plan.atMs - policy.startLimitIntervalMs).length + 1;
            expect(inWindow).toBeLessThanOrEqual(policy.startLimitBurst);
          }
          // never longer than the cap, the limit's own wait, or the lateness
          const limitMs = policy.startLimitIntervalMs > 0 && runs.length >= policy.startLimitBurst
            ? runs[runs.length - policy.startLimitBurst]!.startedAtMs + policy.startLimitIntervalMs : 0;
          expect(plan.atMs).toBeLessThanOrEqual(Math.max(endMs + policy.maxDelayMs, limitMs, endMs + lateMs));
          startMs = plan.atMs;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a tunnel that cannot work settles into the capped wait', () => {
    fc.assert(
      fc.property(policyArb.filter((p) => p.mode !== 'no' && p.startLimitIntervalMs > 0), fc.integer(), (policy, seed) => {
        const runs: RunRecord[] = [];
        let startMs = 0;
        let lastWaitMs = 0;
        for (let run = 1; run <= policy.startLimitBurst + 25; run++) {
          runs.push({ run, startedAtMs: startMs, end: { atMs: startMs + 50, code: 1, reason: 'spawn_failed' } });
          const plan = planRestart(policy, runs, startMs + 50, restartJitterOf(seed));
          if (!plan.restart) throw new Error('expected a restart');
          lastWaitMs = plan.atMs - (startMs + 50);
          startMs = plan.atMs;
        }
        // the cap less at most a tenth of jitter (or the limit's wait, or restart_sec, if longer)
        const floorMs = Math.max(policy.restartMs, Math.floor(policy.maxDelayMs * 0.9));
        expect(lastWaitMs).toBeGreaterThanOrEqual(Math.min(floorMs, policy.maxDelayMs));
        expect(lastWaitMs).toBeLessThanOrEqual(Math.max(policy.maxDelayMs, policy.startLimitIntervalMs));
      }),
      { numRuns: 300 },
    );
  });

  it('the daemon\'s defaults: 5 s, then the limit at 60 s, then 20, 40, 80, 160 s, then 300 s less jitter', () => {
    const runs: RunRecord[] = [];
    const waits: number[] = [];
    let startMs = 0;
    for (let run = 1; run <= 12; run++) {
      runs.push({ run, startedAtMs: startMs, end: { atMs: startMs, code: 1, reason: 'spawn_failed' } });
      const plan = planRestart(DEFAULT_RESTART_POLICY, runs, startMs, NO_JITTER);
      if (!plan.restart) throw new Error('expected a restart');
      waits.push((plan.atMs - startMs) / 1000);
      startMs = plan.atMs;
    }
    expect(waits).toEqual([5, 5, 5, 5, 40, 20, 40, 80, 160, 300, 300, 300]);
  });
});
