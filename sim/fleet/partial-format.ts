// A slice of a fleet run as a file (`simulate --shard I/N --json FILE`), and the merge of such
// files into the whole fleet's figures (`autossh-lab merge`): per-tunnel figures and restarts
// per ms, so the merge gives byte for byte what one `simulate` of the whole fleet gives. Bad
// input (a missing or overlapping shard, shards of different runs) is an error naming the file.
import { combinePartials, resultOf, type FleetPartial, type FleetResult } from './run-fleet.js';

export const PARTIAL_FORMAT = 'autossh-fleet-partial/1';

export class MergeError extends Error {}

export interface Shard {
  /** 0-based */
  index: number;
  count: number;
}

export interface ShardFile {
  file: string;
  shard: Shard;
  partial: FleetPartial;
}

export function partialJson(p: FleetPartial, shard: Shard): string {
  return `${JSON.stringify({
    format: PARTIAL_FORMAT,
    shard,
    seed: p.seed, tunnels: p.tunnels, durationMs: p.durationMs, config: p.config, model: p.model,
    from: p.range.from, to: p.range.to,
    correlatedEvents: p.correlatedEvents, faults: p.faults, gaveUp: p.gaveUp, exitCodes: p.exitCodes,
    downtimesMs: [...p.downtimesMs], sshStarts: [...p.sshStarts],
    restartMs: [...p.restarts[0]], restartCounts: [...p.restarts[1]],
  })}\n`;
}

export function parsePartial(text: string, file: string): ShardFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MergeError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const o = raw as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || o.format !== PARTIAL_FORMAT) {
    throw new MergeError(`${file}: not a fleet shard (format ${PARTIAL_FORMAT}); \`autossh-lab simulate --shard I/N --json FILE\` writes one`);
  }
  const bad = (what: string): never => { throw new MergeError(`${file}: ${what}: the file is damaged or not from this version`); };
  const whole = (key: string): number => (Number.isInteger(o[key]) && (o[key] as number) >= 0 ? (o[key] as number) : bad(`$.${key}`));
  const numbers = (key: string, length?: number): Float64Array => {
    const v = o[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number') || (length !== undefined && v.length !== length)) bad(`$.${key}`);
    return Float64Array.from(v as number[]);
  };
  const shard = o.shard as Shard | undefined;
  if (!shard || !Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.index < 0 || shard.index >= shard.count) bad('$.shard');
  const from = whole('from');
  const to = whole('to');
  const tunnels = whole('tunnels');
  if (from > to || to > tunnels) bad('$.from..$.to');
  const restartMs = numbers('restartMs');
  const restartCounts = numbers('restartCounts', restartMs.length);
  if (typeof o.model !== 'object' || typeof o.config !== 'object' || typeof o.exitCodes !== 'object') bad('$.model, $.config or $.exitCodes');
  return {
    file,
    shard: { index: shard!.index, count: shard!.count },
    partial: {
      model: o.model as FleetPartial['model'], seed: whole('seed'), tunnels, durationMs: whole('durationMs'),
      config: o.config as FleetPartial['config'], range: { from, to },
      correlatedEvents: whole('correlatedEvents'), faults: whole('faults'), gaveUp: whole('gaveUp'),
      exitCodes: o.exitCodes as Record<string, number>,
      downtimesMs: numbers('downtimesMs', to - from), sshStarts: numbers('sshStarts', to - from),
      restarts: [restartMs, Uint32Array.from(restartCounts)],
    },
  };
}

/** Shards of one run, in any order, as the whole fleet's figures; every tunnel exactly once. */
export function mergeShards(shards: ShardFile[]): FleetResult {
  if (shards.length === 0) throw new MergeError('merge: no shard files given');
  const first = shards[0]!;
  const sameRun: [string, (p: FleetPartial) => unknown][] = [
    ['seed', (p) => p.seed],
    ['fault model', (p) => JSON.stringify(p.model)],
    ['autossh configuration', (p) => JSON.stringify(p.config)],
    ['duration (ms)', (p) => p.durationMs],
    ['tunnel count', (p) => p.tunnels],
    ['correlated event count', (p) => p.correlatedEvents],
  ];
  for (const s of shards.slice(1)) {
    for (const [what, of] of sameRun) {
      if (of(s.partial) !== of(first.partial)) {
        const shown = (p: FleetPartial): string => (what === 'fault model' ? `"${p.model.name}"` : what === 'autossh configuration' ? JSON.stringify(p.config) : String(of(p)));
        throw new MergeError(`${s.file}: ${what} ${shown(s.partial)}, but ${first.file} has ${shown(first.partial)}: shards of different runs cannot be merged`);
      }
    }
  }
  const sorted = [...shards].sort((a, b) => a.partial.range.from - b.partial.range.from || a.partial.range.to - b.partial.range.to);
  const missing = (from: number, to: number, where: string): never => {
    const counts = new Set(shards.map((s) => s.shard.count));
    const named = counts.size === 1
      ? ` (shard${[...Array(first.shard.count).keys()].filter((i) => !shards.some((s) => s.shard.index === i)).map((i) => ` ${i}/${first.shard.count}`).join(',')})`
      : '';
    throw new MergeError(`tunnels ${from}..${to} are in no file ${where}: a shard is missing${named}`);
  };
  let at = 0;
  sorted.forEach((s, k) => {
    const { from, to } = s.partial.range;
    if (from < at) {
      const other = sorted[k - 1]!;
      throw new MergeError(`${s.file}: tunnels ${from}..${to} overlap ${other.file}'s ${other.partial.range.from}..${other.partial.range.to}: each tunnel must be in one shard`);
    }
    if (from > at) missing(at, from, k === 0 ? `(before ${s.file})` : `(between ${sorted[k - 1]!.file} and ${s.file})`);
    at = to;
  });
  if (at < first.partial.tunnels) missing(at, first.partial.tunnels, `(after ${sorted.at(-1)!.file})`);
  return resultOf(sorted.map((s) => s.partial).reduce((a, b) => combinePartials(a, b)));
}
