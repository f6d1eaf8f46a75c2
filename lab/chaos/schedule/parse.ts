// Reading a schedule: a built-in name or a JSON file (format in docs/chaos.md). Every mistake is
// reported with the step number and field, before anything starts.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { faultTypes, findFaultKind } from '../faults/index.js';
import { builtinSchedule, builtinScheduleNames } from './builtin.js';
import { parseDurationMs } from './duration.js';
import type { Schedule, ScheduleStep, StreamChoice } from './types.js';

const STEP_FIELDS = new Set(['name', 'type', 'at', 'duration', 'attributes', 'stream', 'toxicity', 'repeat', 'every']);
const STREAMS: readonly StreamChoice[] = ['upstream', 'downstream', 'both'];
/** A schedule is a test plan, not a soak: bound its size. */
const MAX_OCCURRENCES = 1_000;

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/** A built-in name, or the path of a JSON schedule file. */
export function loadSchedule(nameOrFile: string): Schedule {
  const builtin = builtinSchedule(nameOrFile);
  if (builtin) return builtin;
  if (!existsSync(nameOrFile)) {
    throw new ScheduleError(
      `no built-in schedule or file named "${nameOrFile}"; built-in schedules: ${builtinScheduleNames().join(', ')}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(nameOrFile, 'utf8'));
  } catch (error) {
    throw new ScheduleError(`${nameOrFile}: not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseSchedule(json, basename(nameOrFile).replace(/\.json$/, ''));
  } catch (error) {
    throw new ScheduleError(`${nameOrFile}: ${(error as Error).message}`);
  }
}

/** `{ name?, description?, steps: [...] }` or a bare array of steps. */
export function parseSchedule(json: unknown, defaultName = 'schedule'): Schedule {
  const doc = Array.isArray(json) ? { steps: json } : json;
  if (typeof doc !== 'object' || doc === null) throw new ScheduleError('expected an object with "steps", or an array of steps');
  const { name, description, steps } = doc as { name?: unknown; description?: unknown; steps?: unknown };
  if (!Array.isArray(steps) || steps.length === 0) throw new ScheduleError('"steps" must be a non-empty array');
  const parsed = steps.map((s, i) => parseStep(s, i + 1));
  const occurrences = parsed.reduce((n, s) => n + s.repeat, 0);
  if (occurrences > MAX_OCCURRENCES) throw new ScheduleError(`${occurrences} fault occurrences; at most ${MAX_OCCURRENCES}`);
  return {
    name: typeof name === 'string' ? name : defaultName,
    description: typeof description === 'string' ? description : '',
    steps: parsed,
  };
}

function parseStep(raw: unknown, n: number): ScheduleStep {
  const where = `step ${n}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ScheduleError(`${where}: expected an object`);
  const step = raw as Record<string, unknown>;
  for (const key of Object.keys(step)) {
    if (!STEP_FIELDS.has(key)) {
      throw new ScheduleError(`${where}: unknown field "${key}"; a step has ${[...STEP_FIELDS].join(', ')}`);
    }
  }
  if (typeof step.type !== 'string') throw new ScheduleError(`${where}: "type" is required: one of ${faultTypes().join(', ')}`);
  if (findFaultKind(step.type) === undefined) {
    throw new ScheduleError(`${where}: unknown type "${step.type}"; expected one of ${faultTypes().join(', ')}`);
  }
  const at = wrap(() => parseDurationMs(step.at ?? 0, `${where}: "at"`));
  if (step.duration === undefined) throw new ScheduleError(`${where}: "duration" is required (e.g. "5s")`);
  const duration = wrap(() => parseDurationMs(step.duration, `${where}: "duration"`));
  if (duration <= 0) throw new ScheduleError(`${where}: "duration" must be more than 0`);
  const attributes = step.attributes ?? {};
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new ScheduleError(`${where}: "attributes" must be an object`);
  }
  const stream = step.stream ?? 'both';
  if (!STREAMS.includes(stream as StreamChoice)) {
    throw new ScheduleError(`${where}: "stream" must be one of ${STREAMS.join(', ')}`);
  }
  const toxicity = step.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) {
    throw new ScheduleError(`${where}: "toxicity" must be a number from 0 to 1`);
  }
  const repeat = step.repeat ?? 1;
  if (typeof repeat !== 'number' || !Number.isInteger(repeat) || repeat < 1) {
    throw new ScheduleError(`${where}: "repeat" must be a whole number of 1 or more`);
  }
  const every = repeat > 1 ? wrap(() => parseDurationMs(step.every, `${where}: "every" (required with "repeat")`)) : 0;
  if (repeat > 1 && every <= duration) {
    throw new ScheduleError(`${where}: "every" (${every} ms) must be longer than "duration" (${duration} ms)`);
  }
  if (step.name !== undefined && (typeof step.name !== 'string' || step.name === '')) {
    throw new ScheduleError(`${where}: "name" must be a non-empty string`);
  }
  return {
    name: (step.name as string | undefined) ?? step.type,
    type: step.type,
    atMs: at,
    durationMs: duration,
    attributes: attributes as Record<string, unknown>,
    stream: stream as StreamChoice,
    toxicity,
    repeat,
    everyMs: every,
  };
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw new ScheduleError((error as Error).message);
  }
}
