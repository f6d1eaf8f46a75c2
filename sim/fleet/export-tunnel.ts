// One tunnel of a fleet as an incident timeline (docs/timeline-format.md): the faults the fleet
// inflicted on it, its configuration and world, so `autossh-lab replay` can show, decision by
// decision, what happened to a tunnel the fleet report shows giving up or down the longest.
import { DEFAULT_WORLD, type Fact } from '../timeline/types.js';
import { TIMELINE_FORMAT } from '../timeline/schema.js';
import { FleetError, runFleetSlice, type FleetOptions } from './run-fleet.js';

export interface ExportedTunnel {
  /** the timeline file's JSON document */
  timeline: Record<string, unknown>;
  /** what the fleet measured for this tunnel, to check a replay against */
  downtimeMs: number;
  sshStarts: number;
  faults: number;
}

/** A fact as a timeline file writes it: times in ms from the start. */
function writtenFact(fact: Fact): Record<string, unknown> {
  const at = `+${fact.atMs}ms`;
  switch (fact.kind) {
    case 'outage': return { at, kind: 'outage', mode: fact.mode, for: `${fact.forMs}ms` };
    case 'latency': return { at, kind: 'latency', addMs: fact.addMs, for: `${fact.forMs}ms` };
    case 'sshCrash': return fact.signal ? { at, kind: 'sshCrash', signal: fact.signal } : { at, kind: 'sshCrash', exit: fact.exitCode ?? 255 };
    case 'signal': return { at, kind: 'signal', signal: fact.signal };
    default: return { at, kind: fact.kind, for: `${fact.forMs}ms` };
  }
}

/** Tunnel `index` (from 0) of the fleet `options` describes: the same faults a whole-fleet run gives it. */
export function exportTunnel(options: FleetOptions, index: number): ExportedTunnel {
  if (!Number.isInteger(index) || index < 0 || index >= options.tunnels) {
    throw new FleetError(`--export-tunnel: expected a tunnel from 0 to ${options.tunnels - 1}, got ${index}`);
  }
  const facts: Fact[] = [];
  // a fleet's faults number a few per tunnel per day: 400 days of the busiest model stay small
  const partial = runFleetSlice({ ...options, onProgress: undefined }, { from: index, to: index + 1 }, (_, fact) => facts.push(fact));
  const jitter = options.config.env['AUTOSSH_JITTER'];
  return {
    timeline: {
      format: TIMELINE_FORMAT,
      name: `${options.model.name} seed ${options.seed} tunnel ${index} of ${options.tunnels}`,
      duration: `${options.durationMs}ms`,
      config: { args: [...options.config.args], env: { ...options.config.env } },
      world: { ...DEFAULT_WORLD },
      facts: facts.map(writtenFact),
      unknowns: jitter !== undefined && jitter !== '0'
        ? [`AUTOSSH_JITTER=${jitter}: the fleet drew this tunnel's waits from its own seed; a replay draws its own`]
        : [],
    },
    downtimeMs: partial.downtimesMs[0]!,
    sshStarts: partial.sshStarts[0]!,
    faults: partial.faults,
  };
}
