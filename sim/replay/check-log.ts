// A replay of an imported log checks itself: the decisions autossh logged (starts, exits, waits,
// the final exit) against the ones the replay made, in order, each timed from the decision
// before it to within the log's 1 s resolution. The answer is "reproduces 40 of 40", or the first place they part and the setting
// most likely behind it, unless the import already named what the simulated world cannot replay
// there (its known limits, among the timeline's unknowns): then that is the answer.
import { DECISION_LINE } from '../import/infer.js';
import { formatOffset } from '../timeline/duration.js';
import type { TimelineSource } from '../timeline/types.js';
import type { ReplayResult } from './run-replay.js';

/** the log's 1 s stamps, and 1.4g's own 1 s reaping */
export const TIME_TOLERANCE_MS = 1500;

export interface LogCheck {
  logged: number;
  /** logged decisions reproduced, in order, before the first divergence */
  reproduced: number;
  divergence: null | {
    index: number;
    /** the log's line, or null: the replay made a decision more */
    logged: { line: number; atMs: number; message: string } | null;
    /** the replay's decision there, or null: the replay stopped short */
    replayed: { atMs: number; message: string } | null;
    likelyMissing: string | null;
    /** the import's own words for what the world cannot replay here; then no setting is blamed */
    knownLimit: string | null;
  };
}

/**
 * What an import says the simulated world cannot replay (sim/import/infer.ts writes these
 * unknowns), and the decisions it throws off.
 */
const KNOWN_LIMITS: ReadonlyArray<{ unknown: RegExp; decision: RegExp }> = [
  // refused tests fail at once in the log, a net timeout later in the replay
  { unknown: /connection test\(s\) were refused at once/, decision: /^port down/ },
];

function knownLimit(unknowns: readonly string[], logged: string | null, replayed: string | null): string | null {
  for (const limit of KNOWN_LIMITS) {
    if (![logged, replayed].some((m) => m !== null && limit.decision.test(m))) continue;
    const said = unknowns.find((u) => limit.unknown.test(u));
    if (said !== undefined) return said;
  }
  return null;
}

/** `unknowns`: the timeline's, where an import names its known limits. */
export function checkAgainstLog(source: TimelineSource, result: ReplayResult, unknowns: readonly string[] = []): LogCheck {
  const keep = (message: string): boolean => DECISION_LINE.test(message) && (source.debug || !message.startsWith('sleeping for grace time'));
  const logged = source.decisions.filter((d) => keep(d.message));
  const replayed = result.logs.filter((l) => keep(l.message));
  const n = Math.max(logged.length, replayed.length);
  for (let i = 0; i < n; i++) {
    const l = logged[i];
    const r = replayed[i];
    // each decision timed from the one before it, in the log and in the replay: a wait is
    // checked as a wait, and the log's rounding does not pile up over a long run
    const loggedGap = l ? l.atMs - (logged[i - 1]?.atMs ?? 0) : 0;
    const replayedGap = r ? r.atMs - (replayed[i - 1]?.atMs ?? 0) : 0;
    if (l && r && l.message === r.message && Math.abs(loggedGap - replayedGap) <= TIME_TOLERANCE_MS) continue;
    if (!l && i >= logged.length) {
      // the log ends here; a replay that goes on after the logged run stopped is the tail
      // past the last line, not a contradiction, unless autossh had exited in the log
      if (!loggedExit(logged)) return { logged: logged.length, reproduced: logged.length, divergence: null };
    }
    return {
      logged: logged.length,
      reproduced: i,
      divergence: {
        index: i,
        logged: l ? { line: l.line, atMs: l.atMs, message: l.message } : null,
        replayed: r ? { atMs: r.atMs, message: r.message } : null,
        ...explain(l?.message ?? null, r?.message ?? null, logged, unknowns),
      },
    };
  }
  return { logged: logged.length, reproduced: logged.length, divergence: null };
}

function loggedExit(logged: ReadonlyArray<{ message: string }>): boolean {
  const last = logged[logged.length - 1]?.message ?? '';
  return /exiting|signalled to exit|exceeded maximum time/.test(last);
}

function explain(logged: string | null, replayed: string | null, all: ReadonlyArray<{ message: string }>, unknowns: readonly string[]): { likelyMissing: string | null; knownLimit: string | null } {
  const limit = knownLimit(unknowns, logged, replayed);
  return limit === null ? { likelyMissing: likelyMissing(logged, replayed, all), knownLimit: null } : { likelyMissing: null, knownLimit: limit };
}

function likelyMissing(logged: string | null, replayed: string | null, all: ReadonlyArray<{ message: string }>): string | null {
  if (logged !== null && logged === replayed) {
    // the same decision at another time: a wait that differs
    if (logged.startsWith('starting ssh')) return 'AUTOSSH_POLL (the grace-time waits follow from it, and place the starts)';
    if (logged.startsWith('port down')) return '-M, AUTOSSH_POLL or AUTOSSH_FIRST_POLL (they place the connection tests), unless the test failed another way than replayed (see the unknowns)';
    return null;
  }
  const count = logged && /of (\d+)\)/.exec(logged);
  if (logged?.startsWith('starting ssh') && replayed?.startsWith('starting ssh')) return count ? `AUTOSSH_MAXSTART=${count[1]}` : 'AUTOSSH_MAXSTART unset (no limit)';
  if (logged?.includes('restarting ssh') && replayed?.includes('prematurely')) return 'AUTOSSH_GATETIME=0 (or shorter than the first ssh\'s run)';
  if (logged?.includes('prematurely') && replayed?.includes('restarting ssh')) return 'AUTOSSH_GATETIME longer than the first ssh\'s run (the default is 30)';
  if (logged?.startsWith('starting ssh') && replayed?.startsWith('max start count')) return 'AUTOSSH_MAXSTART (the log shows more starts)';
  if (logged?.startsWith('max start count')) return `AUTOSSH_MAXSTART=${all.filter((d) => d.message.startsWith('starting ssh')).length}`;
  if (logged?.startsWith('exceeded maximum time') || replayed?.startsWith('exceeded maximum time')) return 'AUTOSSH_MAXLIFETIME';
  if (logged?.startsWith('sleeping for grace time') || replayed?.startsWith('sleeping for grace time')) return 'AUTOSSH_POLL (the grace-time waits follow from it)';
  if (logged?.startsWith('port down') || replayed?.startsWith('port down')) return '-M, AUTOSSH_POLL or AUTOSSH_FIRST_POLL (they place the connection tests)';
  return null;
}

export function formatLogCheck(check: LogCheck): string {
  if (check.divergence === null) return `log check: reproduces ${check.reproduced} of ${check.logged} logged decisions\n`;
  const d = check.divergence;
  const logged = d.logged ? `log line ${d.logged.line} at ${formatOffset(d.logged.atMs)}: "${d.logged.message}"` : 'the log: nothing more';
  const replayed = d.replayed ? `replay at ${formatOffset(d.replayed.atMs)}: "${d.replayed.message}"` : 'replay: nothing more';
  return [
    `log check: reproduces ${check.reproduced} of ${check.logged} logged decisions; they part at decision ${d.index + 1}:`,
    `  ${logged}`,
    `  ${replayed}`,
    ...(d.knownLimit ? [`  not a missing setting: the import named this as what the simulated world cannot replay: ${d.knownLimit}`] : []),
    ...(d.likelyMissing ? [`  likely missing setting: ${d.likelyMissing} (--set NAME=VALUE, or --args)`] : []),
  ].join('\n') + '\n';
}
