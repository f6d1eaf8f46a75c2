// JSON value -> Timeline: the file checked by its schema (schema.ts), then its times placed on
// one axis, ms since the start. Every complaint carries the file and the JSON path.
import type { z } from 'zod';
import { parseOrThrow } from '../schema/issues.js';
import { formatDuration } from './duration.js';
import { TimelineError } from './errors.js';
import { timelineFileSchema, type TimelineFile } from './schema.js';
import type { TimePoint } from './duration.js';
import { DEFAULT_WORLD, factEndMs, type Fact, type SshFact, type Timeline, type TimelineSource } from './types.js';

export { TIMELINE_FORMAT } from './schema.js';
/** how long a replay runs past the last fact when the timeline gives no duration */
export const DEFAULT_TAIL_MS = 30 * 60_000;
/** a bound on what one replay may cover: a year and a bit */
export const MAX_DURATION_MS = 400 * 86_400_000;

const timelineSchema = timelineFileSchema.transform((file, ctx) => placeOnStart(file, ctx));

/** `file` is only for messages and the default name. */
export function parseTimeline(value: unknown, file: string): Timeline {
  const { name, ...placed } = parseOrThrow(timelineSchema, value, (problem) => new TimelineError(file, problem.path, problem.message));
  return { name: name ?? file.replace(/^.*\//, '').replace(/\.json$/, ''), ...placed };
}

type Placed = Omit<Timeline, 'name'> & { name: string | undefined };

function placeOnStart(file: TimelineFile, ctx: z.RefinementCtx): Placed {
  // The start anchors relative times; without one, the earliest absolute time does.
  const absolutes = file.facts.flatMap((f) => (f.when?.kind === 'at' && f.when.at.kind === 'absolute' ? [f.when.at.epochMs] : []));
  const startEpochMs = file.start ?? (absolutes.length > 0 ? Math.min(...absolutes) : 0);
  const offsetOf = (at: TimePoint): number => (at.kind === 'relative' ? at.offsetMs : at.epochMs - startEpochMs);

  const facts: Array<{ fact: Fact; i: number }> = [];
  const sshFacts: SshFact[] = [];
  file.facts.forEach(({ when, kind, ...fields }, i) => {
    if (when === null) {
      ctx.addIssue({
        code: 'custom', path: ['facts', i, 'at'],
        message: 'expected either "at" (a time) or "ssh" (the n-th ssh, with an optional "after"), not both and not neither',
      });
      return;
    }
    // kind and atMs first, the order every Fact is written in
    const fact = { kind, atMs: when.kind === 'at' ? offsetOf(when.at) : when.afterMs, ...fields } as Fact;
    if (when.kind === 'ssh') {
      sshFacts.push({ ssh: when.ssh, afterMs: when.afterMs, fact });
      return;
    }
    if (fact.atMs < 0) {
      ctx.addIssue({
        code: 'custom', path: ['facts', i, 'at'],
        message: `expected a time at or after the timeline's start, got ${formatDuration(-fact.atMs)} before it`,
      });
    }
    facts.push({ fact, i });
  });
  // stable: equal times keep file order
  const order = facts.sort((a, b) => a.fact.atMs - b.fact.atMs || a.i - b.i);

  if (file.duration !== undefined && file.end !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: 'expected either "duration" or "end", not both' });
  }
  let durationMs: number;
  if (file.duration !== undefined) durationMs = file.duration;
  else if (file.end !== undefined) durationMs = offsetOf(file.end);
  else durationMs = order.reduce((max, f) => Math.max(max, factEndMs(f.fact)), 0) + DEFAULT_TAIL_MS;
  if (durationMs <= 0 || durationMs > MAX_DURATION_MS) {
    ctx.addIssue({
      code: 'custom', path: [file.duration !== undefined ? 'duration' : 'end'],
      message: `expected a positive length of at most 400 days, got ${formatDuration(durationMs)}`,
    });
  }

  const source: TimelineSource | null = file.source === undefined ? null : {
    ...file.source,
    decisions: file.source.decisions.map(({ at, line, message }) => ({ atMs: offsetOf(at), line, message })),
  };

  return {
    name: file.name,
    startEpochMs,
    durationMs,
    config: file.config,
    world: { rttMs: file.world?.rttMs ?? DEFAULT_WORLD.rttMs, handshakeMs: file.world?.handshakeMs ?? DEFAULT_WORLD.handshakeMs },
    facts: order.map((o) => o.fact),
    sshFacts,
    source,
    unknowns: file.unknowns,
  };
}
