// An `autossh-timeline/1` file as written (docs/timeline-format.md): every field checked, times
// read but not yet placed against the start (parse.ts does that). Unknown fields are errors: a
// typo must not silently change the world.
import { z } from 'zod';
import { SIGNAL_NUMBERS, SUPERVISOR_SIGNALS } from '../../src/machine/signals.js';
import { expecting } from '../schema/issues.js';
import { textField } from '../schema/text-field.js';
import { parseIsoMs, parseOffsetMs, parseTimePoint, type TimePoint } from './duration.js';
import { OUTAGE_MODES, type Fact } from './types.js';

export const TIMELINE_FORMAT = 'autossh-timeline/1';
const MAX_FACTS = 1_000_000;

const duration = textField('a duration like "90s", "+5m" or "1h30m"', parseOffsetMs);
const lastingFor = duration.refine((ms) => ms > 0, { error: expecting('a duration longer than 0') });
const timePoint = textField(
  'a time: relative like "+5m", "90s", "1h30m" or an ISO 8601 instant like "2024-05-01T03:00:00Z"',
  parseTimePoint,
);
const instant = textField('an ISO 8601 instant like "2024-05-01T03:00:00Z"', parseIsoMs);
/** a signal an ssh can die of, by name */
export const signalName = textField('a signal name like "SIGSEGV"', (name) => (SIGNAL_NUMBERS[name] === undefined ? null : name));
export const outageMode = z.enum(OUTAGE_MODES).default('blackhole');
const wholeNumber = z.number({ error: expecting('a whole number >= 0') }).int({ error: expecting('a whole number >= 0') })
  .min(0, { error: expecting('a whole number >= 0') });
/** free text for people; the simulator never reads it */
const note = z.unknown().optional();

/** A fact as written: its time still as written, everything else as the simulator takes it. */
type FactWithoutTime<F> = F extends unknown ? Omit<F, 'atMs'> : never;
export type WrittenFact = FactWithoutTime<Fact> & { at: TimePoint };

const lasting = <K extends string>(kind: K) => ({ at: timePoint, kind: z.literal(kind), for: lastingFor, note });

const sshCrash = z.strictObject({
  at: timePoint,
  kind: z.literal('sshCrash'),
  exit: wholeNumber.max(255, { error: expecting('an exit status 0..255') }).optional(),
  signal: signalName.optional(),
  note,
}).superRefine((crash, ctx) => {
  if (crash.exit !== undefined && crash.signal !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['signal'], message: 'expected either "exit" or "signal", not both' });
  }
}).transform(({ at, exit, signal }): WrittenFact =>
  signal === undefined ? { at, kind: 'sshCrash', exitCode: exit ?? 255, signal: null } : { at, kind: 'sshCrash', exitCode: null, signal });

const fact = z.discriminatedUnion('kind', [
  z.strictObject({ ...lasting('outage'), mode: outageMode })
    .transform(({ at, for: forMs, mode }): WrittenFact => ({ at, kind: 'outage', forMs, mode })),
  z.strictObject(lasting('serverRestart')).transform(({ at, for: forMs }): WrittenFact => ({ at, kind: 'serverRestart', forMs })),
  z.strictObject(lasting('authFailure')).transform(({ at, for: forMs }): WrittenFact => ({ at, kind: 'authFailure', forMs })),
  z.strictObject(lasting('remotePortBound')).transform(({ at, for: forMs }): WrittenFact => ({ at, kind: 'remotePortBound', forMs })),
  z.strictObject({ ...lasting('latency'), addMs: wholeNumber })
    .transform(({ at, for: forMs, addMs }): WrittenFact => ({ at, kind: 'latency', forMs, addMs })),
  sshCrash,
  z.strictObject({ at: timePoint, kind: z.literal('signal'), signal: z.enum(SUPERVISOR_SIGNALS), note })
    .transform(({ at, signal }): WrittenFact => ({ at, kind: 'signal', signal })),
]);

const config = z.strictObject({
  name: z.string().default('timeline'),
  args: z.array(z.string(), { error: expecting('an array of strings (autossh arguments, without "autossh")') }),
  env: z.record(z.string(), z.string()).default(() => ({})),
});

const world = z.strictObject({ rttMs: wholeNumber.optional(), handshakeMs: wholeNumber.optional() });

export const timelineFileSchema = z.strictObject({
  format: z.literal(TIMELINE_FORMAT).optional(),
  name: z.string().optional(),
  /** free text for people */
  description: z.unknown().optional(),
  start: instant.optional(),
  duration: duration.optional(),
  end: timePoint.optional(),
  config,
  world: world.optional(),
  facts: z.array(fact, { error: expecting('an array of facts') })
    .max(MAX_FACTS, { error: (issue) => `expected at most ${MAX_FACTS} facts, got ${(issue.input as unknown[]).length}` })
    .default(() => []),
  unknowns: z.array(z.string(), { error: expecting('an array of strings') }).default(() => []),
});

export type TimelineFile = z.output<typeof timelineFileSchema>;
