// The daemon's restart policy, in systemd's words (Restart=, RestartSec=, StartLimitBurst=,
// StartLimitIntervalSec=, RestartMaxDelaySec=): when a tunnel's machine has ended, whether and
// when a new run of it starts. It acts only between runs, never inside one: each run is the
// oracle's autossh, with 1.4g's own decisions (DESIGN.md, "A restart policy lives in the
// daemon, above the machine").
//
// Pure: the history of runs, the time now and a draw for the jitter come in; the next start
// and its reason go out. No clock, no timer, no randomness of its own, so the same function
// runs in the daemon and in a simulation on a virtual clock.
//
// The rules, in order:
// 1. `restart = "no"` never restarts; `"on-failure"` restarts only after a run that ended with
//    status 1 (autossh gave up on an ssh error, ssh could not be executed or a run could not
//    start); `"always"` (the daemon's default) after any end. A run we stopped (a reload, a
//    signal to exit) is never restarted.
// 2. A restart waits `restart_sec` after the run's end.
// 3. Start limit: at most `start_limit_burst` starts in any `start_limit_interval_sec`; a start
//    that would be one too many waits until the oldest of the last burst is that old.
// 4. Once `start_limit_burst` runs in a row each ended within `start_limit_interval_sec` of its
//    start (a tunnel that cannot work), every further restart waits twice as long as the one
//    before (from 2 x restart_sec, at least 2 s), up to `restart_max_delay_sec`, less a jitter of
//    up to a tenth so that many tunnels failing together spread out. A run that lasts the whole
//    interval ends the streak: the next wait is restart_sec again.
// `start_limit_interval_sec = 0` turns rules 3 and 4 off.

export const RESTART_MODES = ['always', 'on-failure', 'no'] as const;
export type RestartMode = (typeof RESTART_MODES)[number];

export interface RestartPolicy {
  mode: RestartMode;
  /** the wait after a run's end (restart_sec) */
  restartMs: number;
  /** starts allowed in one interval (start_limit_burst) */
  startLimitBurst: number;
  /** the interval (start_limit_interval_sec); 0: no start limit and no growing wait */
  startLimitIntervalMs: number;
  /** the longest a grown wait may be (restart_max_delay_sec) */
  maxDelayMs: number;
}

/** The daemon's defaults, documented in docs/daemon-config.md. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  mode: 'always',
  restartMs: 5_000,
  startLimitBurst: 5,
  startLimitIntervalMs: 60_000,
  maxDelayMs: 300_000,
};

/**
 * Why a run of a tunnel's machine ended, when nobody stopped it: the `reason` label of
 * autossh_tunnel_restarts_total. A closed set.
 */
export const RUN_END_REASONS = [
  /** ssh exited with status 0 (autossh exits 0 with it) */
  'exited_ok',
  /** autossh gave up on an ssh error (its gate, a status it does not retry), or an internal error */
  'exited_error',
  /** AUTOSSH_MAXSTART starts used up */
  'max_start',
  /** AUTOSSH_MAXLIFETIME reached */
  'lifetime',
  /** ssh could not be executed (D7) */
  'spawn_failed',
  /** the run could not start: its monitor port could not be bound */
  'start_failed',
] as const;
export type RunEndReason = (typeof RUN_END_REASONS)[number];

/** A run that we ended on purpose (a reload, a signal to exit): never restarted. */
export type RunEnd = RunEndReason | 'stopped';

const END_WORDS: Record<RunEnd, string> = {
  exited_ok: 'ssh exited with status 0',
  exited_error: 'autossh gave up on an ssh error',
  max_start: 'maximum start count reached',
  lifetime: 'maximum lifetime reached',
  spawn_failed: 'ssh could not be executed',
  start_failed: 'it could not start',
  stopped: 'stopped',
};

/** "maximum start count reached", for logs and STATUS= */
export function runEndWords(end: RunEnd): string {
  return END_WORDS[end];
}

/** One run of a tunnel's machine: the last one has no end while it runs. */
export interface RunRecord {
  /** 1 for the first run, then 2, 3, ... */
  run: number;
  startedAtMs: number;
  end: { atMs: number; code: number; reason: RunEnd } | null;
}

export type RestartRule =
  /** rule 2: restart_sec */
  | 'restartSec'
  /** rule 3: the start limit held the start back */
  | 'startLimit'
  /** rule 4: the grown wait */
  | 'growing';

export type RestartPlan =
  | { restart: false; why: string }
  | { restart: true; atMs: number; rule: RestartRule; why: string };

/** The most doublings ever applied: 2^20 s is far past any cap a file may set (a day). */
const MAX_DOUBLINGS = 20;
/** The grown wait loses up to this share of itself to the jitter. */
const JITTER_SHARE = 0.1;
/** The first grown wait is at least this long, whatever restart_sec is. */
const MIN_GROWN_MS = 2_000;

/** How many runs of history the plan can use: a longer history changes no plan. */
export function historyNeeded(policy: RestartPolicy): number {
  return policy.startLimitBurst + MAX_DOUBLINGS + 1;
}

/**
 * Whether and when run `last.run + 1` starts, `history` being the runs so far, oldest first,
 * the last one ended. `jitter(run)` is a draw in [0, 1) for that run, the same for the same run.
 */
export function planRestart(policy: RestartPolicy, history: readonly RunRecord[], nowMs: number, jitter: (run: number) => number): RestartPlan {
  const last = history.at(-1);
  if (last?.end == null) throw new Error('planRestart: the last run has not ended');
  const { end } = last;
  if (end.reason === 'stopped') return { restart: false, why: 'it was stopped' };
  if (policy.mode === 'no') return { restart: false, why: 'restart = "no"' };
  if (policy.mode === 'on-failure' && end.code === 0) {
    return { restart: false, why: `restart = "on-failure" and run ${last.run} ended with status 0 (${runEndWords(end.reason)})` };
  }

  let atMs = end.atMs + policy.restartMs;
  let rule: RestartRule = 'restartSec';
  let why = `restart_sec = ${seconds(policy.restartMs)}`;
  const intervalMs = policy.startLimitIntervalMs;
  if (intervalMs > 0) {
    const streak = shortRunsInARow(history, intervalMs);
    if (streak >= policy.startLimitBurst) {
      const doublings = Math.min(MAX_DOUBLINGS, streak - policy.startLimitBurst + 1);
      const grownMs = Math.min(policy.maxDelayMs, Math.max(policy.restartMs, MIN_GROWN_MS / 2) * 2 ** doublings);
      const draw = Math.min(Math.max(jitter(last.run + 1), 0), 1);
      const waitMs = Math.max(policy.restartMs, Math.round(grownMs * (1 - JITTER_SHARE * draw)));
      atMs = end.atMs + waitMs;
      rule = 'growing';
      why = `${streak} runs in a row ended within ${seconds(intervalMs)} of their start: waiting ${seconds(waitMs)}` +
        (grownMs >= policy.maxDelayMs ? ` (restart_max_delay_sec = ${seconds(policy.maxDelayMs)})` : '');
    }
    // the start limit: the burst-th start back must be a whole interval old
    const oldest = history.length >= policy.startLimitBurst ? history[history.length - policy.startLimitBurst]! : null;
    if (oldest !== null && oldest.startedAtMs + intervalMs > atMs) {
      atMs = oldest.startedAtMs + intervalMs;
      rule = 'startLimit';
      why = `start limit: ${policy.startLimitBurst} starts in ${seconds(intervalMs)}`;
    }
  }
  // a plan made late (a reload changed the policy during a wait) starts now, not in the past
  return { restart: true, atMs: Math.max(atMs, nowMs), rule, why };
}

/** Ended runs, from the last back, each ended within `intervalMs` of its start: the streak. */
function shortRunsInARow(history: readonly RunRecord[], intervalMs: number): number {
  let streak = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const { end, startedAtMs } = history[i]!;
    if (end === null || end.atMs - startedAtMs >= intervalMs) break;
    streak++;
  }
  return streak;
}

/** "5 s", "1.5 s", "300 s" */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * A draw in [0, 1) for a tunnel's run, from its seed (the FNV-1a hash of its name the daemon
 * uses for D12) and the run's number: the same tunnel makes the same draws, two tunnels
 * different ones, and no randomness is read.
 */
export function restartJitterOf(seed: number): (run: number) => number {
  return (run) => {
    let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul((run | 0) + 0x5bd1e995, 0x85ebca77)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
  };
}
