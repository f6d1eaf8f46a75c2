// A fault model: how often each kind of fault hits one tunnel, how long it lasts, and the
// outages that hit many tunnels at once. docs/fault-models.md describes the JSON.
import { parseDurationMs } from '../schema/duration.js';
import type { OutageMode } from '../timeline/types.js';

export type Distribution =
  | { dist: 'fixed'; valueMs: number }
  | { dist: 'exponential'; meanMs: number }
  | { dist: 'lognormal'; medianMs: number; sigma: number; maxMs: number }
  | { dist: 'uniform'; minMs: number; maxMs: number };

export type FaultKind = 'outage' | 'serverRestart' | 'authFailure' | 'remotePortBound' | 'latency' | 'sshCrash';

export interface FaultSpec {
  kind: FaultKind;
  /** outages only */
  mode: OutageMode;
  /** mean arrivals per tunnel per day (Poisson) */
  perDay: number;
  /** how long it lasts; instants (sshCrash) ignore it */
  duration: Distribution;
  /** latency only */
  addMs: number;
  /** sshCrash: a signal name, or null for exit 255 */
  signal: string | null;
}

export interface CorrelatedSpec extends FaultSpec {
  /** each tunnel is hit with this probability; one duration for all */
  fraction: number;
}

export interface FaultModel {
  name: string;
  description: string;
  /** where the numbers come from */
  source: string;
  faults: FaultSpec[];
  correlated: CorrelatedSpec[];
}

export class FaultModelError extends Error {}

const KINDS: readonly FaultKind[] = ['outage', 'serverRestart', 'authFailure', 'remotePortBound', 'latency', 'sshCrash'];
type Obj = Record<string, unknown>;

function fail(file: string, path: string, expected: string, got?: unknown): never {
  throw new FaultModelError(`${file}: ${path}: expected ${expected}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`);
}

function obj(file: string, value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, path, 'an object', value);
  return value as Obj;
}

function dur(file: string, value: unknown, path: string): number {
  const ms = typeof value === 'string' ? parseDurationMs(value, 'seconds') : null;
  if (ms === null) fail(file, path, 'a duration like "30s" or "5m"', value);
  return ms;
}

function num(file: string, value: unknown, path: string, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) fail(file, path, `a number in [${min}, ${max}]`, value);
  return value;
}

export function parseDistribution(file: string, value: unknown, path: string): Distribution {
  const d = obj(file, value, path);
  switch (d.dist) {
    case 'fixed': return { dist: 'fixed', valueMs: dur(file, d.value, `${path}.value`) };
    case 'exponential': return { dist: 'exponential', meanMs: dur(file, d.mean, `${path}.mean`) };
    case 'lognormal':
      return {
        dist: 'lognormal',
        medianMs: dur(file, d.median, `${path}.median`),
        sigma: num(file, d.sigma, `${path}.sigma`, 0, 5),
        maxMs: d.max === undefined ? 86_400_000 : dur(file, d.max, `${path}.max`),
      };
    case 'uniform': {
      const minMs = dur(file, d.min, `${path}.min`);
      const maxMs = dur(file, d.max, `${path}.max`);
      if (maxMs < minMs) fail(file, `${path}.max`, 'at least min', d.max);
      return { dist: 'uniform', minMs, maxMs };
    }
    default:
      return fail(file, `${path}.dist`, 'one of fixed, exponential, lognormal, uniform', d.dist);
  }
}

function parseFault(file: string, value: unknown, path: string): FaultSpec {
  const f = obj(file, value, path);
  if (!KINDS.includes(f.kind as FaultKind)) fail(file, `${path}.kind`, `one of ${KINDS.join(', ')}`, f.kind);
  const kind = f.kind as FaultKind;
  const mode = (f.mode ?? 'blackhole') as OutageMode;
  if (!['blackhole', 'refuse', 'reset'].includes(mode)) fail(file, `${path}.mode`, 'one of blackhole, refuse, reset', f.mode);
  return {
    kind,
    mode,
    perDay: num(file, f.perDay, `${path}.perDay`, 0, 10_000),
    duration: kind === 'sshCrash' ? { dist: 'fixed', valueMs: 0 } : parseDistribution(file, f.duration, `${path}.duration`),
    addMs: kind === 'latency' ? num(file, f.addMs, `${path}.addMs`, 0, 600_000) : 0,
    signal: typeof f.signal === 'string' ? f.signal : null,
  };
}

export function parseFaultModel(value: unknown, file: string): FaultModel {
  const m = obj(file, value, '$');
  if (typeof m.name !== 'string') fail(file, '$.name', 'a string', m.name);
  const list = (key: string): unknown[] => {
    const v = m[key] ?? [];
    if (!Array.isArray(v)) fail(file, `$.${key}`, 'an array', v);
    return v;
  };
  return {
    name: m.name,
    description: typeof m.description === 'string' ? m.description : '',
    source: typeof m.source === 'string' ? m.source : '',
    faults: list('faults').map((f, i) => parseFault(file, f, `$.faults[${i}]`)),
    correlated: list('correlated').map((f, i) => {
      const path = `$.correlated[${i}]`;
      return { ...parseFault(file, f, path), fraction: num(file, obj(file, f, path).fraction, `${path}.fraction`, 0, 1) };
    }),
  };
}
