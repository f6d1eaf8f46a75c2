// A timeline describes the world an autossh ran in, never the supervisor's reactions: which
// configuration it was started with, and what happened to the network, the server and ssh.
// docs/timeline-format.md is the user-facing description of the same types.

/**
 * How the network fails (docs/timeline-format.md): packets dropped silently, refused, reset;
 * the path forgetting its flows (`stale-flows`: open connections fall silent for good, new ones
 * work once it is over); or the client's own link down (`link`).
 */
export const OUTAGE_MODES = ['blackhole', 'refuse', 'reset', 'stale-flows', 'link'] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];

/** Facts that last (`forMs`) and facts that are instants. Times are ms since the timeline's start. */
export type Fact =
  | { kind: 'outage'; atMs: number; forMs: number; mode: OutageMode }
  | { kind: 'serverRestart'; atMs: number; forMs: number }
  | { kind: 'authFailure'; atMs: number; forMs: number }
  | { kind: 'remotePortBound'; atMs: number; forMs: number }
  | { kind: 'latency'; atMs: number; forMs: number; addMs: number }
  | { kind: 'sshCrash'; atMs: number; exitCode: number | null; signal: string | null }
  | { kind: 'signal'; atMs: number; signal: string };

export type FactKind = Fact['kind'];

/**
 * A fact tied to the n-th ssh autossh starts rather than to a wall-clock time: it happens
 * `afterMs` into that ssh's life, whenever the replay starts it ("ssh #7 exited 255 after 0.4 s").
 * A log's 1 s timestamps cannot pin an exit to the right ssh; its count can. `fact.atMs` is
 * `afterMs` until the replay places it.
 */
export interface SshFact {
  ssh: number;
  afterMs: number;
  fact: Fact;
}

/** One setting read out of a log, with the evidence (docs/timeline-format.md, "source"). */
export interface Inference {
  /** `AUTOSSH_MAXSTART`, `-M`, ... */
  setting: string;
  /** the value written into the configuration; null: only bounded, not set */
  value: string | null;
  /** what the evidence says, e.g. "POLL from 300 to 349" */
  detail: string;
  /** 1-based line of the log the inference came from */
  line: number;
  text: string;
}

/** A decision autossh logged: what the replay must reproduce (sim/replay/check-log.ts). */
export interface LoggedDecision {
  atMs: number;
  line: number;
  message: string;
}

/** Where a timeline came from, when `import` wrote it. */
export interface TimelineSource {
  kind: 'log';
  file: string;
  /** the log had LOG_DEBUG lines: the grace-time waits are logged too */
  debug: boolean;
  inferences: Inference[];
  decisions: LoggedDecision[];
}

export interface RunConfig {
  /** shown in traces and reports */
  name: string;
  /** autossh's argv without argv[0] */
  args: string[];
  env: Record<string, string>;
}

/** The simulated network and server, beyond the facts (docs/timeline-format.md, "world"). */
export interface WorldParams {
  /** one round trip client <-> server when nothing is wrong */
  rttMs: number;
  /** TCP connect to authenticated session, key exchange and auth included */
  handshakeMs: number;
}

export const DEFAULT_WORLD: WorldParams = { rttMs: 40, handshakeMs: 400 };

export interface Timeline {
  name: string;
  /** epoch ms of offset 0: only for printing instants */
  startEpochMs: number;
  durationMs: number;
  config: RunConfig;
  world: WorldParams;
  /** sorted by atMs; equal times keep file order */
  facts: Fact[];
  /** facts tied to the n-th ssh, in file order */
  sshFacts: SshFact[];
  /** present when import wrote the timeline from a log */
  source: TimelineSource | null;
  /** what the timeline could not say (import fills this) */
  unknowns: string[];
}

/** Facts with a duration: when they end. Instants end where they begin. */
export function factEndMs(fact: Fact): number {
  return 'forMs' in fact ? fact.atMs + fact.forMs : fact.atMs;
}
