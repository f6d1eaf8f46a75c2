// Reading a schedule: a built-in name or a JSON file (format in docs/chaos.md, checked by
// schema.ts). Every mistake is reported with the step number and field, before anything starts.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { jsonPath, parseOrThrow, type JsonPath } from '../../../sim/schema/issues.js';
import { readTextBounded } from '../../../sim/schema/read-bounded.js';
import { builtinSchedule, builtinScheduleNames } from './builtin.js';
import { scheduleSchema } from './schema.js';
import type { Schedule } from './types.js';

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/** a schedule has at most 1,000 fault occurrences */
const MAX_SCHEDULE_FILE_BYTES = 4 << 20;

/** A built-in name, or the path of a JSON schedule file. */
export function loadSchedule(nameOrFile: string): Schedule {
  const builtin = builtinSchedule(nameOrFile);
  if (builtin) return builtin;
  if (!existsSync(nameOrFile)) {
    throw new ScheduleError(
      `no built-in schedule or file named "${nameOrFile}"; built-in schedules: ${builtinScheduleNames().join(', ')}`,
    );
  }
  let text: string;
  try {
    text = readTextBounded(nameOrFile, MAX_SCHEDULE_FILE_BYTES);
  } catch (error) {
    throw new ScheduleError(`${nameOrFile}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScheduleError(`${nameOrFile}: not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseSchedule(json, basename(nameOrFile).replace(/\.json$/, ''));
  } catch (error) {
    throw new ScheduleError(`${nameOrFile}: ${(error as Error).message}`);
  }
}

/** `{ name?, description?, forward?, recoveryTimeout?, env?, steps: [...] }` or a bare array of steps. */
export function parseSchedule(json: unknown, defaultName = 'schedule'): Schedule {
  // a problem of shape (too deep, "__proto__") is named by its whole path: no field message names it
  const doc = parseOrThrow(scheduleSchema, json, (problem) => new ScheduleError(problem.shape
    ? `${jsonPath(problem.path)}: ${problem.message}`
    : `${stepOf(problem.path)}${problem.message}`));
  return {
    name: typeof doc.name === 'string' ? doc.name : defaultName,
    description: typeof doc.description === 'string' ? doc.description : '',
    steps: doc.steps,
    forward: doc.forward,
    recoveryTimeoutMs: doc.recoveryTimeout,
    env: doc.env,
  };
}

/** ['steps', 1, 'duration'] -> "step 2: "; the field itself is named in the message. */
function stepOf(path: JsonPath): string {
  return path[0] === 'steps' && typeof path[1] === 'number' ? `step ${path[1] + 1}: ` : '';
}
