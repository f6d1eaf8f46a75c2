// What a chaos run returns (and --json writes): the faults as they really happened and, per
// supervisor, what was observed of it and the measurements made from that.
import { measureFaults, type FaultMeasurement } from './measure.js';
import type { CanaryRecord } from './canary.js';
import type { LogLine, SshLife } from './supervisor.js';
import type { Tunnel } from './tunnels.js';

export interface FaultRecord {
  index: number;
  label: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, unknown>;
  plannedStartMs: number;
  plannedEndMs: number;
  /** Actual times on the run clock: start = when switching it on began; end = when it was fully off. */
  startMs: number;
  endMs: number;
}

export interface SupervisorResult {
  label: string;
  argv: string[];
  env: Record<string, string>;
  forwardPort: number;
  proxy: string;
  measurements: FaultMeasurement[];
  sshLives: SshLife[];
  canaries: CanaryRecord[];
  log: LogLine[];
  /** Set when the supervisor exited by itself during the run. */
  exited: string | null;
}

export interface ChaosResult {
  schedule: { name: string; description: string };
  startedAt: string;
  toxiproxy: { url: string; embedded: boolean };
  sshd: { host: string; port: number; own: boolean };
  /** All times are ms on the run clock, which starts with the setup. */
  scheduleStartMs: number;
  /** Measurements cover up to here; then the supervisors were stopped. */
  observedEndMs: number;
  runEndMs: number;
  faults: FaultRecord[];
  supervisors: SupervisorResult[];
}

/** One tunnel's observations and their per-fault measurements, up to `observedEndMs`. */
export function supervisorResult(tunnel: Tunnel, faults: readonly FaultRecord[], observedEndMs: number, exited: string | null): SupervisorResult {
  const { supervisor, canary } = tunnel;
  return {
    label: supervisor.label,
    argv: [...supervisor.options.argv],
    // Only the settings the user chose to compare; PATH, HOME and LANG are the lab's.
    env: Object.fromEntries(Object.entries(supervisor.options.env).filter(([k]) => k.startsWith('AUTOSSH_'))),
    forwardPort: tunnel.forwardPort,
    proxy: tunnel.proxy.name,
    measurements: measureFaults(faults, supervisor.sshLives, canary.records, observedEndMs, supervisor.logLines),
    sshLives: supervisor.sshLives,
    canaries: canary.records,
    log: supervisor.logLines,
    exited,
  };
}
