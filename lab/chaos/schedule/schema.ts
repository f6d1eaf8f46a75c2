// A schedule file as written (docs/chaos.md). Messages name the field in quotes and leave the
// step to parse.ts ("step 2: ..."): a step number reads the same whether the file is an object
// with "steps" or a bare array of steps. Unknown fields are errors in a step and ignored at the
// top, where a file may carry notes of its own.
import { z } from 'zod';
import { parseDurationMs } from '../../../sim/schema/duration.js';
import { describeValue, expectedMessage } from '../../../sim/schema/issues.js';
import { findToxicKind as findToxiproxyToxic } from '../../toxiproxy/registry.js';
import { faultTypes, findFaultKind } from '../faults/index.js';
import type { ForwardKind, ScheduleStep, StreamChoice } from './types.js';

const STEP_FIELDS = ['name', 'type', 'at', 'duration', 'attributes', 'stream', 'toxicity', 'repeat', 'every'];
const STREAMS = ['upstream', 'downstream', 'both'] as const satisfies readonly StreamChoice[];
const TIME_HINT = 'milliseconds or a time like "500ms", "5s", "1.5s", "2m"';
/** A schedule is a test plan, not a soak: bound its size. */
const MAX_OCCURRENCES = 1_000;
/**
 * A chaos run happens in real time, watched: a fault that starts or lasts longer than a day is a
 * typo ("25d" for "25s") more likely than a plan. Every time, and the end of the last fault, is
 * held to this (far below the 24.8 days where a Node timer would fire at once).
 */
export const MAX_SCHEDULE_MS = 86_400_000;
const MAX_SCHEDULE_WORDS = '24h';

/** A time in ms: a JSON number of ms, or a string with a unit (a bare number in a string is ms too). */
function time(field: string) {
  const tooLong = (value: unknown): string => `"${field}": ${describeValue(value)} is longer than a chaos run may be: at most ${MAX_SCHEDULE_WORDS} (${MAX_SCHEDULE_MS} ms)`;
  return z.unknown().transform((value, ctx): number => {
    if (typeof value === 'number') {
      if (Number.isFinite(value) && value >= 0 && value <= MAX_SCHEDULE_MS) return value;
      const message = Number.isFinite(value) && value >= 0 ? tooLong(value) : `"${field}": expected a time of 0 ms or more, got ${value}`;
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    }
    const ms = typeof value === 'string' ? parseDurationMs(value, 'milliseconds') : null;
    if (ms !== null && ms > MAX_SCHEDULE_MS) {
      ctx.addIssue({ code: 'custom', message: tooLong(value), input: value });
      return z.NEVER;
    }
    if (ms !== null) return ms;
    const message = value === undefined ? `"${field}" is required: ${TIME_HINT}` : `"${field}": ${expectedMessage(TIME_HINT, value)}`;
    ctx.addIssue({ code: 'custom', message, input: value });
    return z.NEVER;
  });
}

// one message for every way these fields can be wrong
const TOXICITY = '"toxicity" must be a number from 0 to 1';
const REPEAT = '"repeat" must be a whole number of 1 or more';
const NAME = '"name" must be a non-empty string';

const type = z.string({
  error: (issue) => (issue.input === undefined
    ? `"type" is required: one of ${faultTypes().join(', ')}`
    : `"type": ${expectedMessage(`one of ${faultTypes().join(', ')}`, issue.input)}`),
}).refine((name) => findFaultKind(name) !== undefined, {
  error: (issue) => `unknown type ${describeValue(issue.input)}; expected one of ${faultTypes().join(', ')}`,
});

const step = z.strictObject({
  type,
  at: time('at').default(0),
  duration: time('duration').refine((ms) => ms > 0, { error: '"duration" must be more than 0' }),
  attributes: z.record(z.string(), z.unknown(), { error: '"attributes" must be an object' }).default(() => ({})),
  stream: z.enum(STREAMS, { error: `"stream" must be one of ${STREAMS.join(', ')}` }).default('both'),
  toxicity: z.number({ error: TOXICITY }).min(0, { error: TOXICITY }).max(1, { error: TOXICITY }).default(1),
  repeat: z.number({ error: REPEAT }).int({ error: REPEAT }).min(1, { error: REPEAT }).default(1),
  every: time('every').optional(),
  name: z.string({ error: NAME }).min(1, { error: NAME }).optional(),
}, {
  error: (issue) => (issue.code === 'unrecognized_keys'
    ? `unknown field "${issue.keys[0]}"; a step has ${STEP_FIELDS.join(', ')}`
    : 'expected an object'),
}).superRefine((s, ctx) => {
  // Toxiproxy ignores an attribute it does not know: a typo ("latncy") would be a toxic doing nothing
  const known: readonly string[] = findToxiproxyToxic(s.type)?.attributeNames ?? [];
  const unknown = Object.keys(s.attributes).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    const has = known.length === 0 ? 'takes no attributes' : `has ${known.join(', ')}`;
    ctx.addIssue({ code: 'custom', path: ['attributes', unknown], message: `"attributes": unknown attribute "${unknown}"; ${s.type} ${has}` });
  }
  const repeated = s.repeat > 1 && s.every !== undefined;
  const lastEndMs = s.at + (repeated ? (s.repeat - 1) * s.every! : 0) + s.duration;
  if (lastEndMs > MAX_SCHEDULE_MS) {
    const what = repeated ? '"repeat": its last occurrence ends' : '"duration": the fault ends ("at" + "duration")';
    ctx.addIssue({ code: 'custom', path: [repeated ? 'repeat' : 'duration'], message: `${what} ${lastEndMs} ms after the start; a chaos run may be at most ${MAX_SCHEDULE_WORDS} (${MAX_SCHEDULE_MS} ms)` });
  }
  if (s.repeat === 1) return;
  if (s.every === undefined) {
    ctx.addIssue({ code: 'custom', path: ['every'], message: `"every" is required with "repeat": ${TIME_HINT}` });
  } else if (s.every <= s.duration) {
    ctx.addIssue({
      code: 'custom', path: ['every'],
      message: `"every" (${s.every} ms) must be longer than "duration" (${s.duration} ms)`,
    });
  }
}).transform((s): ScheduleStep => ({
  name: s.name ?? s.type,
  type: s.type,
  atMs: s.at,
  durationMs: s.duration,
  attributes: s.attributes,
  stream: s.stream,
  toxicity: s.toxicity,
  repeat: s.repeat,
  everyMs: s.repeat > 1 ? s.every! : 0,
}));

const FORWARDS = ['local', 'remote'] as const satisfies readonly ForwardKind[];
const ENV_NAME = /^AUTOSSH_[A-Z0-9_]+$/;
/** The lab reads each supervisor's log itself: a schedule cannot move it. */
const LAB_OWNED_ENV = ['AUTOSSH_LOGFILE'];

const env = z.record(z.string(), z.unknown(), { error: '"env" must be an object of AUTOSSH_* settings' }).transform((record, ctx): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    if (!ENV_NAME.test(name) || LAB_OWNED_ENV.includes(name)) {
      const why = LAB_OWNED_ENV.includes(name) ? 'the lab sets it' : 'only AUTOSSH_* settings';
      ctx.addIssue({ code: 'custom', path: [name], message: `"env": ${describeValue(name)} cannot be set here (${why})` });
    } else if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
      out[name] = String(value);
    } else {
      ctx.addIssue({ code: 'custom', path: [name], message: `"env": ${name} ${expectedMessage('a string or a number', value)}` });
    }
  }
  return out;
});

export const scheduleSchema = z.preprocess(
  (json) => (Array.isArray(json) ? { steps: json } : json),
  z.object({
    // read only when they are strings (parse.ts), as they always were
    name: z.unknown().optional(),
    description: z.unknown().optional(),
    steps: z.array(step, { error: '"steps" must be a non-empty array' }).min(1, { error: '"steps" must be a non-empty array' }),
    forward: z.enum(FORWARDS, { error: `"forward" must be one of ${FORWARDS.join(', ')}` }).default('local'),
    recoveryTimeout: time('recoveryTimeout').refine((ms) => ms > 0, { error: '"recoveryTimeout" must be more than 0' }).optional(),
    env: env.default(() => ({})),
  }, { error: 'expected an object with "steps", or an array of steps' }).superRefine((doc, ctx) => {
    const occurrences = doc.steps.reduce((n, s) => n + s.repeat, 0);
    if (occurrences > MAX_OCCURRENCES) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: `${occurrences} fault occurrences; at most ${MAX_OCCURRENCES}` });
    }
  }),
);
