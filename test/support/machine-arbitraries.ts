// Random configurations, worlds and signal timings for the machine's property tests.
import fc from 'fast-check';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { SUPERVISOR_SIGNALS } from '../../src/machine/signals.js';
import type { Config } from '../../src/machine/config/types.js';
import { RANDOM_WORLD_REMOTE_PORT, type RandomWorldOptions, type SessionOptions } from '../../sim/random-world.js';

export const HORIZON_MS = 2 * 3600_000;

/** A setting that is left unset (its default) a third of the time. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

/**
 * The liveness settings (D9-D12), each on (mostly), off or unset at random, and what lets D9 see a
 * session come up: a -L forward, ssh's own log line, or nothing (then D9 stays off).
 */
const onMostly = fc.constantFrom('1', '1', '0');
export const livenessArb = fc.record({
  liveness: maybe(onMostly),
  connectTime: maybe(fc.integer({ min: 0, max: 120 })),
  forwardCheck: maybe(onMostly),
  netWatch: maybe(onMostly),
  jitter: maybe(fc.integer({ min: 0, max: 60 })),
  jitterSeed: fc.integer(),
  evidence: fc.constantFrom([], ['-L', '8080:localhost:80'], ['-o', 'LogLevel=VERBOSE']),
  // the random world's refusals name RANDOM_WORLD_REMOTE_PORT: ours with this -R, another's without
  remote: fc.constantFrom([], ['-R', `${RANDOM_WORLD_REMOTE_PORT}:localhost:22`]),
}).map((l) => {
  const env: Record<string, string> = {};
  if (l.liveness !== undefined) env.AUTOSSH_LIVENESS = l.liveness;
  if (l.connectTime !== undefined) env.AUTOSSH_CONNECTTIME = String(l.connectTime);
  if (l.forwardCheck !== undefined) env.AUTOSSH_FORWARDCHECK = l.forwardCheck;
  if (l.netWatch !== undefined) env.AUTOSSH_NETWATCH = l.netWatch;
  if (l.jitter !== undefined) env.AUTOSSH_JITTER = String(l.jitter);
  return { env, evidence: [...l.evidence, ...l.remote], jitterSeed: l.jitterSeed };
});

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
    liveness: livenessArb,
  })
  .map((c): Config => {
    const env: Record<string, string> = {
      AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: String(c.gate), AUTOSSH_POLL: String(c.poll),
      AUTOSSH_MAXSTART: String(c.maxStart), AUTOSSH_KILLTIME: String(c.killTime), ...c.liveness.env,
    };
    if (c.firstPoll !== undefined) env.AUTOSSH_FIRST_POLL = String(c.firstPoll);
    if (c.lifetime !== undefined) env.AUTOSSH_MAXLIFETIME = String(c.lifetime);
    const args = [...(c.daemon ? ['-f'] : []), ...c.monitor, '-N', ...c.liveness.evidence, 'host'];
    const outcome = parseCommandLine(args, env, c.liveness.jitterSeed);
    if (outcome.kind !== 'run') throw new Error(`generator made a bad config: ${JSON.stringify(outcome)}`);
    return outcome.config;
  });

/** ssh's session late or never, refused forwards, network changes while watched */
// chances picked from a few levels: fast-check's doubles lean hard towards 0, which would leave
// the rules they drive almost never reached
export const sessionArb: fc.Arbitrary<SessionOptions> = fc.record({
  establishChance: fc.constantFrom(0, 0.3, 0.8, 1),
  maxEstablishMs: fc.integer({ min: 0, max: 200_000 }),
  forwardFailChance: fc.constantFrom(0.1, 0.3, 1),
  exitOnForwardFailureChance: fc.constantFrom(0, 0.5, 1),
  meanNetworkChangeMs: fc.constantFrom(2000, 30_000, 600_000),
});

export const worldArb: fc.Arbitrary<RandomWorldOptions> = fc.record({
  meanRunMs: fc.integer({ min: 50, max: 1_200_000 }),
  signalDeathChance: fc.double({ min: 0, max: 0.5, noNaN: true }),
  exitStatuses: fc.array(fc.constantFrom(0, 1, 2, 3, 127, 255), { minLength: 1, maxLength: 4 }),
  ignoreSigtermChance: fc.double({ min: 0, max: 0.5, noNaN: true }),
  spawnFailChance: fc.double({ min: 0, max: 0.05, noNaN: true }),
  transientSpawnFailShare: fc.constantFrom(0, 0.5, 1),
  probeFailChance: fc.double({ min: 0, max: 0.6, noNaN: true }),
  maxProbeMs: fc.integer({ min: 0, max: 40_000 }),
  recordSteps: fc.constant(true),
  session: fc.option(sessionArb, { nil: undefined, freq: 4 }),
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
