// What a chaos run returns (and --json writes): the faults as they really happened and, per
// supervisor, what was observed of it and the measurements made from that.
import { measureFaults, type FaultMeasurement } from './measure.js';
import type { CanaryRecord } from './canary.js';
import type { TimedLine, SshLife } from './supervisor.js';
import type { ForwardSpec } from './supervisor-command.js';
import type { ChaosTunnel } from './tunnels.js';
import type { WorldKind } from './faults/index.js';

export interface FaultRecord {
  index: number;
  label: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, unknown>;
  /** Switching it off closes the connections it held (a Toxiproxy timeout toxic). */
  endCloses: boolean;
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
  /** The -L port on 127.0.0.1, or the -R port on the server's loopback. */
  forwardPort: number;
  forward: ForwardSpec;
  /** Where its ssh connected, host:port. */
  connectTo: string;
  /** Its Toxiproxy proxy, or null in the namespace world. */
  proxy: string | null;
  measurements: FaultMeasurement[];
  sshLives: SshLife[];
  canaries: CanaryRecord[];
  log: TimedLine[];
  /** Its stderr, where its ssh's own messages are ("Timeout, server ... not responding."). */
  stderr: TimedLine[];
  /** Set when the supervisor exited by itself during the run. */
  exited: string | null;
}

export interface ChaosResult {
  schedule: { name: string; description: string };
  startedAt: string;
  world: WorldKind;
  /** null in the namespace world. */
  toxiproxy: { url: string; embedded: boolean } | null;
  /** The namespace world's network; null in Toxiproxy's. */
  netns: { namespace: string; rootDevice: string; rootAddress: string; serverAddress: string; subnet: string } | null;
  sshd: { host: string; port: number; own: boolean };
  forward: 'local' | 'remote';
  /** AUTOSSH_* settings the schedule gave every supervisor. */
  scheduleEnv: Record<string, string>;
  /** All times are ms on the run clock, which starts with the setup. */
  scheduleStartMs: number;
  /** Measurements cover up to here; then the supervisors were stopped. */
  observedEndMs: number;
  runEndMs: number;
  faults: FaultRecord[];
  supervisors: SupervisorResult[];
}

/** One tunnel's observations and their per-fault measurements, up to `observedEndMs`. */
export function supervisorResult(tunnel: ChaosTunnel, faults: readonly FaultRecord[], observedEndMs: number, exited: string | null): SupervisorResult {
  const { supervisor, canary } = tunnel;
  return {
    label: supervisor.label,
    argv: [...supervisor.options.argv],
    // Only the settings the user chose to compare; PATH, HOME and LANG are the lab's.
    env: Object.fromEntries(Object.entries(supervisor.options.env).filter(([k]) => k.startsWith('AUTOSSH_'))),
    forwardPort: tunnel.forward.listenPort,
    forward: tunnel.forward,
    connectTo: `${tunnel.entry.host}:${tunnel.entry.port}`,
    proxy: tunnel.entry.proxy,
    measurements: measureFaults(faults, supervisor.sshLives, canary.records, observedEndMs, supervisor.logLines, supervisor.lines),
    sshLives: supervisor.sshLives,
    canaries: canary.records,
    log: supervisor.logLines,
    stderr: supervisor.stderrLines,
    exited,
  };
}
