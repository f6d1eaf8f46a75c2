// One tunnel's story for the operator, built from what its supervisor did (the effects it
// applied) and what its host saw (ssh's ends). It only watches: nothing here reaches the machine.
// The phase and "up" are read from the machine's snapshot when asked (tunnelStateOf, never
// redefined here), or from the daemon's view between runs (./tunnel-view.ts); the tracker adds
// what a snapshot forgets: counts, the last exit, the last decision, the last run's end, and
// since when the phase holds. One tracker follows a tunnel across the runs its restart policy
// starts, so its counters keep counting.
import type { Tell } from '../driver/host.js';
import { tunnelStateOf } from '../driver/tunnel-state.js';
import type { Effect } from '../machine/effects.js';
import type { SshEnd } from '../machine/events.js';
import { exitReasonOf, type ExitReason } from './exit-reason.js';
import type { RunEndReason } from './restart-policy.js';
import { daemonStateOf, type DaemonPhase, type DaemonTunnelState } from './tunnel-view.js';
import { secondsLeft } from '../driver/wait-left.js';
import type {
  DaemonInfo,
  LastExit,
  LastRunEnd,
  StatusSource,
  TunnelSource,
  TrackerSource,
  TunnelCounts,
  TunnelReport,
  TunnelTracker,
} from './status-types.js';

/**
 * The machine names a couple of dozen rules; a label must not grow past that whatever a future
 * rule name does, so rules beyond this many are counted as OTHER_RULE.
 */
export const MAX_DISTINCT_RULES = 64;
export const OTHER_RULE = 'other';

/**
 * A connection test is a moment in an up tunnel's life, not a new phase of it: going from `up` to
 * `testing` and back every POLL leaves `since` alone, so it says how long the session has been up.
 */
const UP_PHASES: ReadonlySet<DaemonPhase> = new Set(['up', 'testing']);

function stateOf(tracked: TunnelSource): DaemonTunnelState {
  return tracked.state ? tracked.state() : daemonStateOf(tunnelStateOf(tracked.snapshot()), null);
}

export function createTunnelTracker(tracked: TunnelSource, wallClock: () => Date = () => new Date()): TunnelTracker {
  let starts = 0;
  /** the current ssh was sent SIGTERM or SIGKILL: its end is ours */
  let signalledCurrent = false;
  const exits: Partial<Record<ExitReason, number>> = {};
  const restarts: Partial<Record<RunEndReason, number>> = {};
  let lastRunEnd: LastRunEnd | null = null;
  // a Map: a rule's name is never mistaken for an object's own property
  const decisions = new Map<string, number>();
  let lastExit: LastExit | null = null;
  let lastRule: string | null = null;
  let lastDecision: string | null = null;
  // before the first effect the machine has not started: the supervisor may not exist yet
  let phase: DaemonPhase = 'starting';
  let inPhaseSince = wallClock().toISOString();

  /** `anew`: a new ssh started: the tunnel is in its phase anew, even if the phase's name did not change */
  function notePhase(now: DaemonPhase, anew = false): void {
    const same = now === phase || (UP_PHASES.has(now) && UP_PHASES.has(phase));
    phase = now;
    if (!same || anew) inPhaseSince = wallClock().toISOString();
  }

  function countDecision(rule: string): void {
    const counted = decisions.has(rule) || decisions.size < MAX_DISTINCT_RULES ? rule : OTHER_RULE;
    decisions.set(counted, (decisions.get(counted) ?? 0) + 1);
  }

  function noteEnd(reason: ExitReason, end: { code: number | null; signal: string | null }): void {
    exits[reason] = (exits[reason] ?? 0) + 1;
    lastExit = { ...end, reason, at: wallClock().toISOString() };
    signalledCurrent = false;
  }

  return {
    name: tracked.name,

    observe(effect: Effect): void {
      switch (effect.type) {
        case 'spawnSsh':
          starts++;
          signalledCurrent = false;
          // an ssh that ended and its successor, in one step: still "up", but since now
          notePhase(stateOf(tracked).phase, true);
          return;
        case 'signalSsh':
          signalledCurrent = true;
          break;
        case 'decision':
          countDecision(effect.rule);
          lastRule = effect.rule;
          lastDecision = effect.detail;
          break;
      }
      // an effect comes out after its step: the snapshot is already the step's end
      notePhase(stateOf(tracked).phase);
    },

    noteSshEnd(end: SshEnd): void {
      noteEnd(exitReasonOf(end, signalledCurrent), { code: end.code ?? null, signal: end.signal ?? null });
    },

    noteSpawnFailed(): void {
      noteEnd('spawn_failed', { code: null, signal: null });
    },

    noteRunEnd(run, reason, code): void {
      lastRunEnd = { run, reason, code, at: wallClock().toISOString() };
    },

    noteRestart(reason): void {
      restarts[reason] = (restarts[reason] ?? 0) + 1;
    },

    report(): TunnelReport {
      const state = stateOf(tracked);
      notePhase(state.phase);
      const nowMs = tracked.nowMs();
      return {
        name: tracked.name,
        phase: state.phase,
        up: state.up,
        sshPid: tracked.sshPid(),
        starts,
        lastExit,
        lastRule,
        lastDecision,
        since: inPhaseSince,
        backoffSeconds: state.backoffDueMs === null ? null : secondsLeft(state.backoffDueMs, nowMs),
        restartPolicy: state.policy,
        runs: state.runs,
        lastRunEnd,
        restartSeconds: state.restart === null ? null : secondsLeft(state.restart.dueMs, nowMs),
      };
    },

    counts(): TunnelCounts {
      return { starts, exits: { ...exits }, decisions: Object.fromEntries(decisions), restarts: { ...restarts } };
    },
  };
}

/**
 * The sink to build a tunnel's host with: ssh's ends reach the tracker first, then the
 * supervisor (whose next step may start the next ssh at once).
 */
export function trackSshEnds(tracker: TunnelTracker, tell: Tell): Tell {
  return (event) => {
    if (event.type === 'SSH_EXITED') tracker.noteSshEnd(event.end);
    else if (event.type === 'SSH_SPAWN_FAILED') tracker.noteSpawnFailed();
    tell(event);
  };
}

/** A StatusSource reading these trackers at every request. */
export function statusSourceOf(source: TrackerSource, daemon?: DaemonInfo): StatusSource & TrackerSource {
  return {
    trackers: () => source.trackers(),
    reports: () => source.trackers().map((tracker) => tracker.report()),
    ...(daemon ? { daemon } : {}),
  };
}
