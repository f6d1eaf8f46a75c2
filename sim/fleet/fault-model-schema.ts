// A fault-model file as written (docs/fault-models.md), checked field by field. Strict
// everywhere, like a timeline: a field its kind does not take (`addMs` on an outage) or a typo
// (`perday`) is an unknown field, reported where it is, so a model never silently means less.
import { z } from 'zod';
import { parseDurationMs } from '../schema/duration.js';
import { expectedMessage, expecting } from '../schema/issues.js';
import { textField } from '../schema/text-field.js';
import { formatDuration } from '../timeline/duration.js';
import { outageMode, signalName } from '../timeline/schema.js';
import type { OutageMode } from '../timeline/types.js';
import type { CorrelatedSpec, Distribution, FaultSpec, FleetFaultKind } from './fault-model.js';

/** the longest a lognormal duration may draw when the model gives no `max` */
const DEFAULT_LOGNORMAL_MAX_MS = 86_400_000;

const duration = textField('a duration like "30s" or "5m"', (text) => parseDurationMs(text, 'seconds'));

function numberIn(min: number, max: number) {
  const error = expecting(`a number in [${min}, ${max}]`);
  return z.number({ error }).min(min, { error }).max(max, { error });
}

export const distributionSchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('fixed'), value: duration })
    .transform(({ value }): Distribution => ({ dist: 'fixed', valueMs: value })),
  z.strictObject({ dist: z.literal('exponential'), mean: duration })
    .transform(({ mean }): Distribution => ({ dist: 'exponential', meanMs: mean })),
  z.strictObject({ dist: z.literal('lognormal'), median: duration, sigma: numberIn(0, 5), max: duration.optional() })
    .transform(({ median, sigma, max }): Distribution => ({ dist: 'lognormal', medianMs: median, sigma, maxMs: max ?? DEFAULT_LOGNORMAL_MAX_MS })),
  z.strictObject({ dist: z.literal('uniform'), min: duration, max: duration })
    .superRefine(({ min, max }, ctx) => {
      if (max < min) ctx.addIssue({ code: 'custom', path: ['max'], message: `expected at least min (${formatDuration(min)}), got ${formatDuration(max)}` });
    })
    .transform(({ min, max }): Distribution => ({ dist: 'uniform', minMs: min, maxMs: max })),
], {
  // zod types this option for union issues, but a missing or non-object value is the union's too
  error: (issue) => ((issue as { code: string }).code === 'invalid_type'
    ? expectedMessage('a distribution like {"dist": "fixed", "value": "30s"} (docs/fault-models.md)', issue.input)
    : undefined),
});

/** A fault as written; which fields it has depends on its kind. */
interface WrittenFault {
  kind: FleetFaultKind;
  perDay: number;
  mode?: OutageMode;
  duration?: Distribution;
  addMs?: number;
  signal?: string;
}

/** Each kind with exactly the fields it takes, plus `extra` on every one. */
function faultSchema<E extends z.core.$ZodLooseShape>(extra: E) {
  const common = { perDay: numberIn(0, 10_000), ...extra };
  const lasting = { ...common, duration: distributionSchema };
  return z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('outage'), mode: outageMode, ...lasting }),
    z.strictObject({ kind: z.literal('serverRestart'), ...lasting }),
    z.strictObject({ kind: z.literal('authFailure'), ...lasting }),
    z.strictObject({ kind: z.literal('remotePortBound'), ...lasting }),
    z.strictObject({ kind: z.literal('latency'), ...lasting, addMs: numberIn(0, 600_000) }),
    z.strictObject({ kind: z.literal('sshCrash'), ...common, signal: signalName.optional() }),
  ]);
}

function toFaultSpec(f: WrittenFault): FaultSpec {
  return {
    kind: f.kind,
    mode: f.mode ?? 'blackhole',
    perDay: f.perDay,
    // an instant (sshCrash) has no duration to draw
    duration: f.duration ?? { dist: 'fixed', valueMs: 0 },
    addMs: f.addMs ?? 0,
    signal: f.signal ?? null,
  };
}

export const faultModelSchema = z.strictObject({
  name: z.string(),
  description: z.string().default(''),
  /** where the numbers come from */
  source: z.string().default(''),
  faults: z.array(faultSchema({}).transform(toFaultSpec)).default(() => []),
  correlated: z.array(
    faultSchema({ fraction: numberIn(0, 1) }).transform((f): CorrelatedSpec => ({ ...toFaultSpec(f), fraction: f.fraction })),
  ).default(() => []),
});
