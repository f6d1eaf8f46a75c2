// Random configurations (the liveness rules D9-D12 on, off or unset at random), random worlds
// (any exit status or signal, ssh that ignores SIGTERM, failed starts, failing and slow
// connection tests, sessions that come up late or never, refused remote forwards, network
// changes while watched), every supervisor signal at random moments, and time jumps (the
// supervisor frozen, then everything due at once). The driver asserts the supervisor's
// invariants as each effect passes (src/driver/invariants.ts): a broken one throws out of the
// clock and fails the property; the rest are checked here, and each liveness rule by a
// targeted property of its own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Env } from '../../src/machine/config/env.js';
import { jitterMs } from '../../src/machine/decisions/jitter.js';
import type { SupervisorSignal } from '../../src/machine/signals.js';
import type { Config } from '../../src/machine/config/types.js';
import { Prng } from '../../sim/fleet/prng.js';
import { SupervisedRandomWorld, type RandomWorld, type RandomWorldOptions } from '../../sim/random-world.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { configArb, freezesArb, HORIZON_MS, signalsArb, worldArb } from '../support/machine-arbitraries.js';

interface Run {
  world: RandomWorld;
  stuckAtMs: number | null;
}

type Freezes = ReadonlyArray<{ atMs: number; forMs: number }>;

function simulate(
  config: Config,
  options: RandomWorldOptions,
  seed: number,
  signals: Array<{ atMs: number; signal: SupervisorSignal }>,
  freezes: Freezes = [],
): Run {
  const clock = new VirtualClock();
  const run = new SupervisedRandomWorld(clock, new Prng(seed), config, options);
  const { world } = run;
  for (const s of signals) clock.at(s.atMs, () => world.signal(s.signal));
  for (const f of freezes) clock.at(f.atMs, () => world.freeze(f.forMs));
  run.start();
  let stuckAtMs: number | null = null;
  // step through the run, checking at each quiet point that something can still happen
  for (let guard = 0; guard < 200_000 && world.exitCode === null; guard++) {
    const next = clock.nextDueMs();
    if (!world.sshAlive && world.armedTimers === 0 && world.probesInFlight === 0 && world.eventsPending === 0 && stuckAtMs === null) {
      stuckAtMs = clock.now();
    }
    if (next === null || next > HORIZON_MS) break;
    clock.runUntil(next, 1_000_000);
  }
  return { world, stuckAtMs };
}

/** From each ssh's end to the next start, in ms: the backoff waits (0 when there was none). */
function waitsBeforeStarts(steps: readonly string[]): number[] {
  const waits: number[] = [];
  let endedAtMs: number | null = null;
  for (const step of steps) {
    const [at, ...words] = step.split(' ');
    const what = words.join(' ');
    if (what.startsWith('ssh ends')) endedAtMs = Number(at);
    else if (what.startsWith('spawn ') && endedAtMs !== null) waits.push(Number(at) - endedAtMs);
  }
  return waits;
}

/** The liveness rules' decisions: the random runs must reach each of them. */
const LIVENESS_RULES = ['connectTimeExceeded', 'remoteForwardFailed', 'forwardRetry', 'networkChanged', 'jitter'] as const;

describe('machine invariants under random worlds', () => {
  it('hold for every configuration, world and signal timing', () => {
    const runsReaching = new Map<string, number>(LIVENESS_RULES.map((rule) => [rule, 0]));
    fc.assert(
      fc.property(configArb, worldArb, fc.integer(), signalsArb, freezesArb, (config, options, seed, signals, freezes) => {
        const { world, stuckAtMs } = simulate(config, options, seed, signals, freezes);
        for (const rule of LIVENESS_RULES) {
          if (world.steps.some((step) => step.endsWith(` decision ${rule}`))) runsReaching.set(rule, runsReaching.get(rule)! + 1);
        }
        // never stuck: until it exits, ssh runs, a timer is armed, a test is in flight or news
        // of ssh is on its way
        expect(stuckAtMs).toBeNull();
        if (config.maxStart >= 0) expect(world.starts).toBeLessThanOrEqual(config.maxStart);
        if (config.maxLifetimeSeconds > 0 && config.killSeconds > 0) {
          // nothing runs past the lifetime, plus the time to kill ssh and any time spent frozen
          const frozenMs = freezes.reduce((sum, f) => sum + f.forMs, 0);
          const limitMs = config.maxLifetimeSeconds * 1000 + config.killSeconds * 1000 + frozenMs;
          if (limitMs < HORIZON_MS) {
            expect(world.exitCode).not.toBeNull();
            expect(world.exitedAtMs!).toBeLessThanOrEqual(limitMs);
          }
        }
        if (world.exitCode !== null) expect(world.sshAlive).toBe(false);
      }),
      { numRuns: 300 },
    );
    // the random configurations and worlds do exercise the liveness rules
    for (const [rule, runs] of runsReaching) expect(runs, `runs reaching ${rule}`).toBeGreaterThanOrEqual(3);
  });

  it('same seed, same run', () => {
    fc.assert(
      fc.property(configArb, worldArb, fc.integer(), signalsArb, freezesArb, (config, options, seed, signals, freezes) => {
        const a = simulate(config, options, seed, signals, freezes).world;
        const b = simulate(config, options, seed, signals, freezes).world;
        expect(b.steps).toEqual(a.steps);
      }),
      { numRuns: 60 },
    );
  });

  it('deep backoff is reached and capped at POLL (targeted: fast failures only)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer(), (poll, seed) => {
        const outcome = parseCommandLine(['-M', '0', 'h'], { AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: String(poll), AUTOSSH_MAXSTART: '80' });
        if (outcome.kind !== 'run') throw new Error('bad config');
        const world = simulate(outcome.config, {
          meanRunMs: 100, signalDeathChance: 0, exitStatuses: [255], ignoreSigtermChance: 0,
          spawnFailChance: 0, probeFailChance: 0, maxProbeMs: 0, recordSteps: true,
        }, seed, []).world;
        expect(world.starts).toBe(80);
        expect(world.exitCode).toBe(0);
        // 79 fast tries: the quadratic wait passes POLL after 18 of them beyond the first 5, so
        // the deepest waits are POLL exactly: reached, and capped there
        const waits = waitsBeforeStarts(world.steps);
        expect(waits).toHaveLength(79);
        expect(Math.max(...waits)).toBe(poll * 1000);
        expect(waits.filter((ms) => ms === poll * 1000).length).toBeGreaterThan(40);
      }),
      { numRuns: 40 },
    );
  });
});

describe('starts that fail for now (targeted)', () => {
  it('are retried, 1 s and doubling up to POLL after each one, and never end the run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer(), (poll, seed) => {
        const config = configOf(['-M', '0', 'h'], { AUTOSSH_POLL: String(poll), AUTOSSH_MAXSTART: '60' });
        const { world } = simulate(config, { ...BENIGN, meanRunMs: 20_000, spawnFailChance: 0.6, transientSpawnFailShare: 1 }, seed, []);
        // only MAXSTART ends it: a start that failed for now is never D7's exit 1
        expect(world.exitCode).toBe(0);
        expect(world.starts).toBe(60);
        // each wait from a failed start to the next start: 1, 2, 4 ... s along a row, at most POLL
        let row = 0;
        let failedAtMs: number | null = null;
        for (const step of world.steps) {
          const [at, ...words] = step.split(' ');
          const spawn = /^spawn \d+( failed for now)?$/.exec(words.join(' '));
          if (!spawn) continue;
          if (failedAtMs !== null) expect(Number(at) - failedAtMs).toBe(Math.min(2 ** (row - 1), poll) * 1000);
          row = spawn[1] ? row + 1 : 0;
          failedAtMs = spawn[1] ? Number(at) : null;
        }
        expect(world.steps.some((step) => step.endsWith('failed for now'))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

/** A configuration for a targeted property: no monitor unless asked, no gate, 1.4g's defaults else. */
function configOf(args: string[], env: Env, jitterSeed = 0): Config {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', ...env }, jitterSeed);
  if (outcome.kind !== 'run') throw new Error(`bad config: ${JSON.stringify(outcome)}`);
  return outcome.config;
}

/** One ssh's life, read from a run's steps. */
interface SshLife {
  n: number;
  startMs: number;
  upMs: number | null;
  connectTimeExceededMs: number | null;
  sigtermMs: number | null;
  endMs: number | null;
}

function sshLives(steps: readonly string[]): SshLife[] {
  const lives: SshLife[] = [];
  for (const step of steps) {
    const [at, ...words] = step.split(' ');
    const atMs = Number(at);
    const what = words.join(' ');
    const life = lives.at(-1);
    const spawned = /^spawn (\d+)$/.exec(what);
    if (spawned) lives.push({ n: Number(spawned[1]), startMs: atMs, upMs: null, connectTimeExceededMs: null, sigtermMs: null, endMs: null });
    else if (life === undefined || life.endMs !== null) continue;
    else if (what === `ssh ${life.n} up`) life.upMs = atMs;
    else if (what === 'decision connectTimeExceeded') life.connectTimeExceededMs = atMs;
    else if (what === 'ssh gets SIGTERM') life.sigtermMs ??= atMs;
    else if (what.startsWith('ssh ends')) life.endMs = atMs;
  }
  return lives;
}

/** The ssh ended on its own (no SIGTERM before), at or before this time. */
function endedByItselfBy(life: SshLife, atMs: number): boolean {
  return life.endMs !== null && life.endMs <= atMs && (life.sigtermMs === null || life.sigtermMs > life.endMs);
}

const HUGE_RUN_MS = 1e12;

describe('the liveness rules under random worlds (targeted)', () => {
  it('D9: an ssh that shows no session within CONNECTTIME is stopped then, and gone within KILLTIME more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 10 }), fc.integer(),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 240_000 }),
        fc.double({ min: 0, max: 0.6, noNaN: true }), fc.constantFrom(60_000, 600_000, HUGE_RUN_MS),
        (connectSeconds, killSeconds, seed, establishChance, maxEstablishMs, ignoreSigtermChance, meanRunMs) => {
          const config = configOf(['-M', '0', '-L', '8080:localhost:80', 'host'], {
            AUTOSSH_CONNECTTIME: String(connectSeconds), AUTOSSH_KILLTIME: String(killSeconds), AUTOSSH_MAXSTART: '30',
          });
          const { world, stuckAtMs } = simulate(config, {
            ...BENIGN, meanRunMs, ignoreSigtermChance,
            session: { establishChance, maxEstablishMs, forwardFailChance: 0, exitOnForwardFailureChance: 0, meanNetworkChangeMs: 0 },
          }, seed, []);
          expect(stuckAtMs).toBeNull();
          const dueMs = connectSeconds * 1000;
          for (const life of sshLives(world.steps)) {
            const deadlineMs = life.startMs + dueMs;
            if (life.upMs !== null && life.upMs < deadlineMs) {
              expect(life.connectTimeExceededMs, `ssh ${life.n} was up at ${life.upMs}`).toBeNull();
            } else if (!endedByItselfBy(life, deadlineMs) && deadlineMs <= HORIZON_MS) {
              // not up (or up only at the deadline itself: the timer was armed first), still running
              // (an ssh that ends by itself at the deadline itself may be judged before it or not)
              expect(life.connectTimeExceededMs, `ssh ${life.n} started at ${life.startMs}`).toBe(deadlineMs);
              expect(life.sigtermMs).toBe(deadlineMs);
              if (deadlineMs + killSeconds * 1000 <= HORIZON_MS) expect(life.endMs).toBeLessThanOrEqual(deadlineMs + killSeconds * 1000);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('D10: remote forward failures in a row wait 2, 4, 8, then 10 s each', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }), fc.integer(), fc.integer({ min: 0, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.6, noNaN: true }),
        (killSeconds, seed, maxEstablishMs, exitOnForwardFailureChance, ignoreSigtermChance) => {
          const config = configOf(['-M', '0', '-R', '2222:localhost:22', 'host'], {
            AUTOSSH_FORWARDCHECK: '1', AUTOSSH_KILLTIME: String(killSeconds), AUTOSSH_MAXSTART: '12',
          });
          const { world } = simulate(config, {
            ...BENIGN, meanRunMs: HUGE_RUN_MS, ignoreSigtermChance,
            session: { establishChance: 1, maxEstablishMs, forwardFailChance: 1, exitOnForwardFailureChance, meanNetworkChangeMs: 0 },
          }, seed, []);
          expect(world.steps.filter((step) => step.endsWith(' decision remoteForwardFailed'))).toHaveLength(12);
          expect(waitsBeforeStarts(world.steps)).toEqual([2000, 4000, 8000, ...Array<number>(8).fill(10_000)]);
          expect(world.exitCode).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('D11: a network change during a backoff wait starts ssh at once, or after its jitter (D12)', () => {
    let changesSeen = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 600 }), fc.integer({ min: 0, max: 30 }), fc.integer(), fc.integer(),
        fc.integer({ min: 50, max: 5000 }), fc.integer({ min: 1000, max: 120_000 }),
        (pollSeconds, jitterSeconds, jitterSeed, seed, meanRunMs, meanNetworkChangeMs) => {
          const config = configOf(['-M', '0', 'host'], {
            AUTOSSH_NETWATCH: '1', AUTOSSH_JITTER: String(jitterSeconds), AUTOSSH_POLL: String(pollSeconds), AUTOSSH_MAXSTART: '40',
          }, jitterSeed);
          const { world } = simulate(config, {
            ...BENIGN, meanRunMs,
            session: { establishChance: 1, maxEstablishMs: 0, forwardFailChance: 0, exitOnForwardFailureChance: 0, meanNetworkChangeMs },
          }, seed, []);
          const steps = world.steps.map((step) => {
            const [at, ...words] = step.split(' ');
            return { atMs: Number(at), what: words.join(' ') };
          });
          steps.forEach((step, i) => {
            const change = /^network changed \(backoff due (\d+)\)$/.exec(step.what);
            if (!change) return;
            changesSeen++;
            const start = steps.slice(i + 1).find((s) => /^spawn \d+/.test(s.what));
            if (start === undefined) return; // the run ended first
            const n = Number(/^spawn (\d+)/.exec(start.what)![1]);
            const dueMs = Number(change[1]);
            const expectedMs = Math.min(dueMs, step.atMs + jitterMs(jitterSeed, n, jitterSeconds));
            expect(start.atMs, `start ${n} after a network change at ${step.atMs}`).toBe(expectedMs);
          });
        },
      ),
      { numRuns: 100 },
    );
    expect(changesSeen).toBeGreaterThan(100);
  });
});

describe('news about an ssh that is gone', () => {
  // A real host may reap an ssh before it has read that ssh's last stderr line. The machine then
  // restarts ssh (a fast try: at once), and the late "remote port forwarding failed" line must
  // not stop the NEW ssh, which never said it: the event names its ssh (isCurrentSsh).
  it('a forward failure read after its ssh exited never stops the next ssh', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 5000 }), (seed, maxEstablishMs) => {
        const config = configOf(['-M', '0', '-R', '2222:localhost:22', 'host'], { AUTOSSH_FORWARDCHECK: '1', AUTOSSH_MAXSTART: '6' });
        const { world } = simulate(config, {
          ...BENIGN, meanRunMs: HUGE_RUN_MS,
          session: { establishChance: 1, maxEstablishMs, forwardFailChance: 1, exitOnForwardFailureChance: 1, meanNetworkChangeMs: 0, forwardLineAfterExit: true },
        }, seed, []);
        // every ssh exits by itself on its refused forward: the machine has no ssh of its own to stop
        expect(world.steps.filter((step) => step.endsWith(' ssh gets SIGTERM'))).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});

const BENIGN: RandomWorldOptions = {
  meanRunMs: 100, signalDeathChance: 0, exitStatuses: [255], ignoreSigtermChance: 0,
  spawnFailChance: 0, probeFailChance: 0, maxProbeMs: 0, recordSteps: true,
};
