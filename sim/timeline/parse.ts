// JSON value -> Timeline, checked field by field. Every complaint carries the JSON path.
import { SUPERVISOR_SIGNALS } from '../../src/machine/signals.js';
import { SIGNAL_NUMBERS } from '../../src/machine/signals.js';
import { parseDurationMs, parseIsoMs, parseTimePoint, type TimePoint } from './duration.js';
import { TimelineError } from './errors.js';
import { DEFAULT_WORLD, factEndMs, type Fact, type OutageMode, type Timeline, type WorldParams } from './types.js';

export const TIMELINE_FORMAT = 'autossh-timeline/1';
/** how long a replay runs past the last fact when the timeline gives no duration */
export const DEFAULT_TAIL_MS = 30 * 60_000;
/** a bound on what one replay may cover: a year and a bit */
export const MAX_DURATION_MS = 400 * 86_400_000;
const MAX_FACTS = 1_000_000;

const FACT_KINDS = ['outage', 'serverRestart', 'authFailure', 'remotePortBound', 'latency', 'sshCrash', 'signal'] as const;
const OUTAGE_MODES: readonly OutageMode[] = ['blackhole', 'refuse', 'reset'];
const DURATION_HINT = 'a duration like "90s", "+5m" or "1h30m"';
const TIME_HINT = 'a time: relative like "+5m", "90s", "1h30m" or an ISO 8601 instant like "2024-05-01T03:00:00Z"';

type Obj = Record<string, unknown>;

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, expected: string, got?: unknown): never {
    throw new TimelineError(this.file, path, expected, got);
  }

  object(value: unknown, path: string): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'an object', value);
    return value as Obj;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'a string', value);
    return value;
  }

  onlyKeys(obj: Obj, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(`${path}.${key}`, `no such field (known: ${allowed.join(', ')})`);
    }
  }

  duration(value: unknown, path: string): number {
    const ms = typeof value === 'string' ? parseDurationMs(value.startsWith('+') ? value.slice(1) : value) : null;
    if (ms === null) this.fail(path, DURATION_HINT, value);
    return ms;
  }

  nonNegativeInt(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(path, 'a whole number >= 0', value);
    return value;
  }

  time(value: unknown, path: string): TimePoint {
    const point = typeof value === 'string' ? parseTimePoint(value) : null;
    if (point === null) this.fail(path, TIME_HINT, value);
    return point;
  }
}

/** `file` is only for messages. */
export function parseTimeline(value: unknown, file: string): Timeline {
  const r: Reader = new Reader(file);
  const root = r.object(value, '$');
  r.onlyKeys(root, '$', ['format', 'name', 'description', 'start', 'duration', 'end', 'config', 'world', 'facts', 'unknowns']);
  if (root.format !== undefined && root.format !== TIMELINE_FORMAT) r.fail('$.format', `"${TIMELINE_FORMAT}"`, root.format);
  const name = root.name === undefined ? file.replace(/^.*\//, '').replace(/\.json$/, '') : r.string(root.name, '$.name');

  const rawFacts = root.facts ?? [];
  if (!Array.isArray(rawFacts)) r.fail('$.facts', 'an array of facts', rawFacts);
  if (rawFacts.length > MAX_FACTS) r.fail('$.facts', `at most ${MAX_FACTS} facts`, rawFacts.length);
  const points = rawFacts.map((raw, i) => r.time(r.object(raw, `$.facts[${i}]`).at, `$.facts[${i}].at`));

  // The start anchors relative times; without one, the earliest absolute time does.
  let startEpochMs: number;
  if (root.start !== undefined) {
    const start = typeof root.start === 'string' ? parseIsoMs(root.start) : null;
    if (start === null) r.fail('$.start', 'an ISO 8601 instant like "2024-05-01T03:00:00Z"', root.start);
    startEpochMs = start;
  } else {
    const absolutes = points.flatMap((p) => (p.kind === 'absolute' ? [p.epochMs] : []));
    startEpochMs = absolutes.length > 0 ? Math.min(...absolutes) : 0;
  }

  const facts = rawFacts.map((raw, i) => readFact(r, raw as Obj, `$.facts[${i}]`, points[i]!, startEpochMs));
  // stable: equal times keep file order
  const order = facts.map((fact, i) => ({ fact, i })).sort((a, b) => a.fact.atMs - b.fact.atMs || a.i - b.i);

  let durationMs: number;
  if (root.duration !== undefined && root.end !== undefined) r.fail('$.end', 'either "duration" or "end", not both');
  if (root.duration !== undefined) {
    durationMs = r.duration(root.duration, '$.duration');
  } else if (root.end !== undefined) {
    const end = r.time(root.end, '$.end');
    durationMs = end.kind === 'relative' ? end.offsetMs : end.epochMs - startEpochMs;
  } else {
    durationMs = facts.reduce((max, f) => Math.max(max, factEndMs(f)), 0) + DEFAULT_TAIL_MS;
  }
  if (durationMs <= 0 || durationMs > MAX_DURATION_MS) {
    r.fail(root.duration !== undefined ? '$.duration' : '$.end', `a positive length of at most 400 days`, durationMs);
  }

  return {
    name,
    startEpochMs,
    durationMs,
    config: readConfig(r, root.config, name),
    world: readWorld(r, root.world),
    facts: order.map((o) => o.fact),
    unknowns: readUnknowns(r, root.unknowns),
  };
}

function readConfig(r: Reader, value: unknown, name: string): Timeline['config'] {
  const config = r.object(value, '$.config');
  r.onlyKeys(config, '$.config', ['name', 'args', 'env']);
  if (!Array.isArray(config.args)) r.fail('$.config.args', 'an array of strings (autossh arguments, without "autossh")', config.args);
  const args = config.args.map((a, i) => r.string(a, `$.config.args[${i}]`));
  const env: Record<string, string> = {};
  if (config.env !== undefined) {
    const raw = r.object(config.env, '$.config.env');
    for (const [key, v] of Object.entries(raw)) env[key] = r.string(v, `$.config.env.${key}`);
  }
  return { name: config.name === undefined ? 'timeline' : r.string(config.name, '$.config.name'), args, env };
  void name;
}

function readWorld(r: Reader, value: unknown): WorldParams {
  if (value === undefined) return { ...DEFAULT_WORLD };
  const world = r.object(value, '$.world');
  r.onlyKeys(world, '$.world', ['rttMs', 'handshakeMs']);
  return {
    rttMs: world.rttMs === undefined ? DEFAULT_WORLD.rttMs : r.nonNegativeInt(world.rttMs, '$.world.rttMs'),
    handshakeMs: world.handshakeMs === undefined ? DEFAULT_WORLD.handshakeMs : r.nonNegativeInt(world.handshakeMs, '$.world.handshakeMs'),
  };
}

function readUnknowns(r: Reader, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) r.fail('$.unknowns', 'an array of strings', value);
  return value.map((v, i) => r.string(v, `$.unknowns[${i}]`));
}

function readFact(r: Reader, obj: Obj, path: string, point: TimePoint, startEpochMs: number): Fact {
  const atMs = point.kind === 'relative' ? point.offsetMs : point.epochMs - startEpochMs;
  if (atMs < 0) r.fail(`${path}.at`, 'a time at or after the timeline\'s start', obj.at);
  const kind = obj.kind;
  if (typeof kind !== 'string' || !(FACT_KINDS as readonly string[]).includes(kind)) {
    r.fail(`${path}.kind`, `one of ${FACT_KINDS.join(', ')}`, kind);
  }
  const lasting = (extra: readonly string[]): number => {
    r.onlyKeys(obj, path, ['at', 'kind', 'for', 'note', ...extra]);
    const forMs = r.duration(obj.for, `${path}.for`);
    if (forMs <= 0) r.fail(`${path}.for`, 'a duration longer than 0', obj.for);
    return forMs;
  };
  switch (kind as Fact['kind']) {
    case 'outage': {
      const forMs = lasting(['mode']);
      const mode = obj.mode ?? 'blackhole';
      if (!OUTAGE_MODES.includes(mode as OutageMode)) r.fail(`${path}.mode`, `one of ${OUTAGE_MODES.join(', ')}`, mode);
      return { kind: 'outage', atMs, forMs, mode: mode as OutageMode };
    }
    case 'serverRestart':
      return { kind: 'serverRestart', atMs, forMs: lasting([]) };
    case 'authFailure':
      return { kind: 'authFailure', atMs, forMs: lasting([]) };
    case 'remotePortBound':
      return { kind: 'remotePortBound', atMs, forMs: lasting([]) };
    case 'latency': {
      const forMs = lasting(['addMs']);
      return { kind: 'latency', atMs, forMs, addMs: r.nonNegativeInt(obj.addMs, `${path}.addMs`) };
    }
    case 'sshCrash': {
      r.onlyKeys(obj, path, ['at', 'kind', 'exit', 'signal', 'note']);
      if (obj.exit !== undefined && obj.signal !== undefined) r.fail(`${path}.signal`, 'either "exit" or "signal", not both');
      if (obj.signal !== undefined) {
        const signal = r.string(obj.signal, `${path}.signal`);
        if (SIGNAL_NUMBERS[signal] === undefined) r.fail(`${path}.signal`, 'a signal name like "SIGSEGV"', signal);
        return { kind: 'sshCrash', atMs, exitCode: null, signal };
      }
      const exitCode = obj.exit === undefined ? 255 : r.nonNegativeInt(obj.exit, `${path}.exit`);
      if (exitCode > 255) r.fail(`${path}.exit`, 'an exit status 0..255', exitCode);
      return { kind: 'sshCrash', atMs, exitCode, signal: null };
    }
    case 'signal': {
      r.onlyKeys(obj, path, ['at', 'kind', 'signal', 'note']);
      const signal = r.string(obj.signal, `${path}.signal`);
      if (!(SUPERVISOR_SIGNALS as readonly string[]).includes(signal)) {
        r.fail(`${path}.signal`, `one of ${SUPERVISOR_SIGNALS.join(', ')}`, signal);
      }
      return { kind: 'signal', atMs, signal };
    }
  }
}
