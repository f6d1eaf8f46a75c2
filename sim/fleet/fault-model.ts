// A fault model: how often each kind of fault hits one tunnel, how long it lasts, and the
// outages that hit many tunnels at once. docs/fault-models.md describes the JSON;
// fault-model-schema.ts checks it.
import { jsonPath, parseOrThrow } from '../schema/issues.js';
import type { OutageMode } from '../timeline/types.js';
import { distributionSchema, faultModelSchema } from './fault-model-schema.js';

/** A probability law for how long a fault lasts. */
export type Distribution =
  | { dist: 'fixed'; valueMs: number }
  | { dist: 'exponential'; meanMs: number }
  | { dist: 'lognormal'; medianMs: number; sigma: number; maxMs: number }
  | { dist: 'uniform'; minMs: number; maxMs: number };

/** The timeline fact kinds a fleet can suffer at random (a `signal` is an operator's act, not a fault). */
export type FleetFaultKind = 'outage' | 'serverRestart' | 'authFailure' | 'remotePortBound' | 'latency' | 'sshCrash';

export interface FaultSpec {
  kind: FleetFaultKind;
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

/** `m.json: $.faults[2].kind: expected one of outage, ..., got "meteor"` */
export class FaultModelError extends Error {}

/** `value` at `path` ("$.faults[0].duration") of `file`, as a Distribution. */
export function parseDistribution(file: string, value: unknown, path: string): Distribution {
  return parseOrThrow(distributionSchema, value, (p) => new FaultModelError(`${file}: ${path}${jsonPath(p.path).slice(1)}: ${p.message}`));
}

export function parseFaultModel(value: unknown, file: string): FaultModel {
  return parseOrThrow(faultModelSchema, value, (p) => new FaultModelError(`${file}: ${jsonPath(p.path)}: ${p.message}`));
}
