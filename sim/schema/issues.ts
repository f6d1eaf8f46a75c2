// zod issues -> the lab's error messages. Every JSON format the lab reads (timelines, fault
// models, chaos schedules) is a zod schema parsed through here, so a mistake is always reported
// the same way: where (the JSON path), what belongs there, and what was found:
//   incident.json: $.facts[3].for: expected a duration like "90s", "+5m" or "1h30m", got "soon"
// A schema says what it expects in its own words with `expecting(...)`; zod's built-in checks
// (types, enums, ranges, unknown fields) get plain-English words from `defaultMessage`.
import type { z } from 'zod';
import { jsonShapeProblem } from './json-document.js';

export type JsonPath = ReadonlyArray<PropertyKey>;

/** The first thing wrong with a document: where, and a message without the where. */
export interface Problem {
  path: JsonPath;
  message: string;
  /** a problem of the document's shape (too deep, a "__proto__" key), found before its schema looked */
  shape?: true;
}

/** A found value as a message shows it: "soon", 42, null, an object, an array. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** "expected X, got Y"; in JSON nothing is undefined, so an undefined value is a missing field. */
export function expectedMessage(expected: string, found: unknown): string {
  return found === undefined ? `expected ${expected}, but it is missing` : `expected ${expected}, got ${describeValue(found)}`;
}

/** A schema's `error` option: its own words for what belongs there. */
export function expecting(expected: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => expectedMessage(expected, issue.input);
}

/** ['faults', 2, 'kind'] -> "$.faults[2].kind" */
export function jsonPath(path: JsonPath): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), '$');
}

/** The schema's output, or `toError` of the first problem thrown (the document's shape is checked first). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, toError: (problem: Problem) => Error): z.output<S> {
  const shape = jsonShapeProblem(value);
  if (shape !== null) throw toError({ ...shape, shape: true });
  const result = schema.safeParse(value, { error: defaultMessage });
  if (result.success) return result.data;
  throw toError(problemOf(firstIssue(result.error.issues)));
}

/**
 * The first issue in document order, except that an unknown field comes before the problems
 * inside the object that holds it: `perday` explains a missing `perDay` better than the reverse.
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues[0]!;
  const holders = issues.filter((i) => i.code === 'unrecognized_keys' && i.path.every((key, n) => first.path[n] === key));
  if (holders.length === 0) return first;
  // the outermost, as a reader goes through the file
  return holders.reduce((outer, i) => (i.path.length < outer.path.length ? i : outer));
}

function problemOf(issue: z.core.$ZodIssue): Problem {
  // an unknown field is reported where it is, so the path names it
  if (issue.code === 'unrecognized_keys') return { path: [...issue.path, issue.keys[0]!], message: issue.message };
  return { path: issue.path, message: issue.message };
}

type RawIssue = z.core.$ZodRawIssue;

/** Messages for zod's own checks, used where a schema does not give its own words. */
function defaultMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return expectedMessage(TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`, issue.input);
    case 'invalid_value':
      return expectedMessage(oneOf(issue.values), issue.input);
    case 'too_small':
      return expectedMessage(bound('min', issue.origin, issue.minimum, issue.inclusive), issue.input);
    case 'too_big':
      return expectedMessage(bound('max', issue.origin, issue.maximum, issue.inclusive), issue.input);
    case 'unrecognized_keys':
      return `unknown field (known: ${knownFields(issue.inst).join(', ')})`;
    case 'invalid_union':
      // a discriminated union whose tag matches no variant: the path already ends at the tag
      if (issue.discriminator !== undefined && 'options' in issue && Array.isArray(issue.options)) {
        const tag = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        return expectedMessage(oneOf(issue.options), tag);
      }
      return undefined;
    default:
      return undefined;
  }
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false',
  object: 'an object', array: 'an array', record: 'an object',
};

function oneOf(values: readonly unknown[]): string {
  return values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map(String).join(', ')}`;
}

function bound(side: 'min' | 'max', origin: string, limit: number | bigint, inclusive = true): string {
  if (origin === 'array') return `${side === 'min' ? 'at least' : 'at most'} ${limit} items`;
  const sign = (side === 'min' ? '>' : '<') + (inclusive ? '=' : '');
  return `a number ${sign} ${limit}`;
}

function knownFields(schema: unknown): string[] {
  const shape = (schema as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}
