// Random configurations, worlds and signal timings for the machine's property tests.
import fc from 'fast-check';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { SUPERVISOR_SIGNALS } from '../../src/machine/signals.js';
import type { Config } from '../../src/machine/config/types.js';
import type { RandomWorldOptions } from '../../sim/random-world.js';

export const HORIZON_MS = 2 * 3600_000;

export const configArb = fc
  .record({
    monitor: fc.constantFrom(['-M', '0'], ['-M', '20000'], ['-M', '20000:7']),
    gate: fc.integer({ min: 0, max: 60 }),
    poll: fc.integer({ min: 1, max: 900 }),
    firstPoll: fc.option(fc.integer({ min: 1, max: 900 }), { nil: undefined }),
    maxStart: fc.integer({ min: -1, max: 40 }),
    lifetime: fc.option(fc.integer({ min: 1, max: 7000 }), { nil: undefined }),
    killTime: fc.integer({ min: 0, max: 10 }),
    daemon: fc.boolean(),
  })
  .map((c): Config => {
    const env: Record<string, string> = {
      AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: String(c.gate), AUTOSSH_POLL: String(c.poll),
      AUTOSSH_MAXSTART: String(c.maxStart), AUTOSSH_KILLTIME: String(c.killTime),
    };
    if (c.firstPoll !== undefined) env.AUTOSSH_FIRST_POLL = String(c.firstPoll);
    if (c.lifetime !== undefined) env.AUTOSSH_MAXLIFETIME = String(c.lifetime);
    const outcome = parseCommandLine([...(c.daemon ? ['-f'] : []), ...c.monitor, '-N', 'host'], env);
    if (outcome.kind !== 'run') throw new Error(`generator made a bad config: ${JSON.stringify(outcome)}`);
    return outcome.config;
  });

export const worldArb: fc.Arbitrary<RandomWorldOptions> = fc.record({
  meanRunMs: fc.integer({ min: 50, max: 1_200_000 }),
  signalDeathChance: fc.double({ min: 0, max: 0.5, noNaN: true }),
  exitStatuses: fc.array(fc.constantFrom(0, 1, 2, 3, 127, 255), { minLength: 1, maxLength: 4 }),
  ignoreSigtermChance: fc.double({ min: 0, max: 0.5, noNaN: true }),
  spawnFailChance: fc.double({ min: 0, max: 0.05, noNaN: true }),
  probeFailChance: fc.double({ min: 0, max: 0.6, noNaN: true }),
  maxProbeMs: fc.integer({ min: 0, max: 40_000 }),
  recordSteps: fc.constant(true),
});

export const signalsArb = fc.array(
  fc.record({ atMs: fc.integer({ min: 0, max: HORIZON_MS }), signal: fc.constantFrom(...SUPERVISOR_SIGNALS) }),
  { maxLength: 12 },
);

/** time jumps: the supervisor frozen at random moments, for up to 30 minutes each */
export const freezesArb = fc.array(
  fc.record({ atMs: fc.integer({ min: 0, max: HORIZON_MS }), forMs: fc.integer({ min: 1, max: 30 * 60_000 }) }),
  { maxLength: 4 },
);
