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

/**
 * When a fact happens: at a time (`at`), or `after` a while into the life of the n-th ssh
 * (`ssh`, counted from 1), whenever the replay starts that ssh. Exactly one of the two.
 */
export type When = { kind: 'at'; at: TimePoint } | { kind: 'ssh'; ssh: number; afterMs: number };

/** A fact as written: its time still as written, everything else as the simulator takes it. */
type FactWithoutTime<F> = F extends unknown ? Omit<F, 'atMs'> : never;
export type WrittenFact = FactWithoutTime<Fact> & { when: When | null };

const sshNumber = z.number({ error: expecting('an ssh number from 1') }).int({ error: expecting('an ssh number from 1') })
  .min(1, { error: expecting('an ssh number from 1') });
const anchor = { at: timePoint.optional(), ssh: sshNumber.optional(), after: duration.optional() };
type Anchor = { at?: TimePoint; ssh?: number; after?: number };
/** null: neither form, or both (parse.ts says which) */
function whenOf({ at, ssh, after }: Anchor): When | null {
  if (at !== undefined) return ssh === undefined && after === undefined ? { kind: 'at', at } : null;
  return ssh === undefined ? null : { kind: 'ssh', ssh, afterMs: after ?? 0 };
}

const lasting = <K extends string>(kind: K) => ({ ...anchor, kind: z.literal(kind), for: lastingFor, note });

const sshCrash = z.strictObject({
  ...anchor,
  kind: z.literal('sshCrash'),
  exit: wholeNumber.max(255, { error: expecting('an exit status 0..255') }).optional(),
  signal: signalName.optional(),
  note,
}).superRefine((crash, ctx) => {
  if (crash.exit !== undefined && crash.signal !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['signal'], message: 'expected either "exit" or "signal", not both' });
  }
}).transform(({ exit, signal, ...a }): WrittenFact =>
  signal === undefined ? { when: whenOf(a), kind: 'sshCrash', exitCode: exit ?? 255, signal: null } : { when: whenOf(a), kind: 'sshCrash', exitCode: null, signal });

const fact = z.discriminatedUnion('kind', [
  z.strictObject({ ...lasting('outage'), mode: outageMode })
    .transform(({ for: forMs, mode, ...a }): WrittenFact => ({ when: whenOf(a), kind: 'outage', forMs, mode })),
  z.strictObject(lasting('serverRestart')).transform(({ for: forMs, ...a }): WrittenFact => ({ when: whenOf(a), kind: 'serverRestart', forMs })),
  z.strictObject(lasting('authFailure')).transform(({ for: forMs, ...a }): WrittenFact => ({ when: whenOf(a), kind: 'authFailure', forMs })),
  z.strictObject(lasting('remotePortBound')).transform(({ for: forMs, ...a }): WrittenFact => ({ when: whenOf(a), kind: 'remotePortBound', forMs })),
  z.strictObject({ ...lasting('latency'), addMs: wholeNumber })
    .transform(({ for: forMs, addMs, ...a }): WrittenFact => ({ when: whenOf(a), kind: 'latency', forMs, addMs })),
  sshCrash,
  z.strictObject({ ...anchor, kind: z.literal('signal'), signal: z.enum(SUPERVISOR_SIGNALS), note })
    .transform(({ signal, ...a }): WrittenFact => ({ when: whenOf(a), kind: 'signal', signal })),
]);

const config = z.strictObject({
  name: z.string().default('timeline'),
  args: z.array(z.string(), { error: expecting('an array of strings (autossh arguments, without "autossh")') }),
  env: z.record(z.string(), z.string()).default(() => ({})),
});

const world = z.strictObject({ rttMs: wholeNumber.optional(), handshakeMs: wholeNumber.optional() });

const lineNumber = z.number({ error: expecting('a line number from 1') }).int().min(1, { error: expecting('a line number from 1') });
/** where an imported timeline came from: what import read out of the log, and what the log says autossh decided */
const source = z.strictObject({
  kind: z.literal('log'),
  file: z.string(),
  debug: z.boolean().default(false),
  inferences: z.array(z.strictObject({
    setting: z.string(),
    value: z.string().nullable(),
    detail: z.string(),
    line: lineNumber,
    text: z.string(),
  })).max(MAX_FACTS).default(() => []),
  decisions: z.array(z.strictObject({ at: timePoint, line: lineNumber, message: z.string() })).max(MAX_FACTS).default(() => []),
});

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
  source: source.optional(),
});

export type TimelineFile = z.output<typeof timelineFileSchema>;
