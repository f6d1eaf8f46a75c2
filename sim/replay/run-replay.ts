// One timeline, one configuration, one virtual clock: the facts scheduled as they happened,
// the real machine supervising a simulated OpenSSH, everything it decided recorded.
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { VirtualClock } from '../virtual-clock.js';
import { OpensshWorld } from '../openssh/openssh-world.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import type { SshEnd } from '../../src/machine/events.js';
import { factEndMs, type Fact, type RunConfig, type SshFact, type Timeline } from '../timeline/types.js';
import { formatDuration, formatOffset } from '../timeline/duration.js';
import { describeFact } from './describe.js';

export interface DecisionRecord {
  atMs: number;
  rule: string;
  detail: string;
}

export type TraceEntry =
  | { atMs: number; kind: 'decision'; rule: string; detail: string }
  | { atMs: number; kind: 'fact'; detail: string }
  | { atMs: number; kind: 'ssh'; detail: string }
  | { atMs: number; kind: 'exit'; detail: string };

export interface SshRun {
  n: number;
  startMs: number;
  upMs: number | null;
  endMs: number | null;
  end: string | null;
}

export interface Recovery {
  fact: string;
  atMs: number;
  endMs: number;
  /** the tunnel was down at some point while the fact lasted (or right after an instant) */
  brokeTunnel: boolean;
  /** from the fact's end to a working tunnel; null if it never worked again */
  recoverMs: number | null;
}

export interface ReplaySummary {
  durationMs: number;
  sshStarts: number;
  /** null: autossh was still running at the end */
  exitCode: number | null;
  exitAtMs: number | null;
  /**
   * where the downtime books close: the exit when autossh ended on purpose (starts used up,
   * lifetime, an operator's signal, ssh's status 0), else the end of the timeline
   */
  countedUntilMs: number;
  downtimeMs: number;
  /** downtime / countedUntilMs, 0..1 */
  downFraction: number;
  recoveries: Recovery[];
}

export interface ReplayResult {
  config: RunConfig;
  /** a configuration autossh refused: why (exitCode is 1, nothing ran) */
  setupError: string | null;
  decisions: DecisionRecord[];
  /** the supervisor's log lines, as autossh would have written them */
  logs: Array<{ atMs: number; level: number; message: string }>;
  trace: TraceEntry[];
  sshRuns: SshRun[];
  /** [from, to) intervals with a working tunnel */
  workingSpans: Array<[number, number]>;
  /** the world's facts as they happened in this run: the timeline's, and those tied to an ssh placed where that ssh ran */
  facts: Fact[];
  summary: ReplaySummary;
}

export interface ReplayOptions {
  elideHealthyPolls?: boolean;
  /** bound on clock callbacks: a runaway run stops with an error */
  maxCallbacks?: number;
  /**
   * bound on ssh starts, which is what a replay holds in memory (~1.3 KB each: its decisions,
   * log lines and trace) until the outputs are written: past it the run stops with ReplayTooLargeError
   */
  maxSshStarts?: number;
}

/** Where a replay is, between two slices of its run (replaySteps). */
export interface ReplayProgress {
  atMs: number;
  sshStarts: number;
}

/** A replay that would hold more than its bound: bad input (a timeline too long for its POLL), not a failure. */
export class ReplayTooLargeError extends Error {
  override name = 'ReplayTooLargeError';
}

/** clock callbacks per slice of replaySteps: about a millisecond of work (a signal waits no longer than one slice) */
const SLICE_CALLBACKS = 2_000;
const DEFAULT_MAX_CALLBACKS = 50_000_000;

/** Facts that can take a tunnel down: each gets a recovery figure. */
const DISRUPTIVE: ReadonlySet<Fact['kind']> = new Set(['outage', 'serverRestart', 'authFailure', 'remotePortBound', 'sshCrash']);

export function replay(timeline: Timeline, config: RunConfig, options: ReplayOptions = {}): ReplayResult {
  const steps = replaySteps(timeline, config, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * replay() in slices: yields between slices of the clock's work (so a caller can give the event
 * loop a turn, show progress or stop), returns the result. The same run, the same result.
 */
export function* replaySteps(timeline: Timeline, config: RunConfig, options: ReplayOptions = {}): Generator<ReplayProgress, ReplayResult, void> {
  const clock = new VirtualClock(0);
  const decisions: DecisionRecord[] = [];
  const trace: TraceEntry[] = [];
  const logs: ReplayResult['logs'] = [];
  const sshRuns: SshRun[] = [];
  const workingSpans: Array<[number, number]> = [];
  let workingSinceMs: number | null = null;
  const durationMs = timeline.durationMs;

  const parsed = parseCommandLine(config.args, config.env);
  if (parsed.kind !== 'run') {
    const why = parsed.kind === 'error' ? parsed.message : parsed.kind === 'usage' ? `usage: ${parsed.complaint ?? 'no destination or monitor port'}` : 'prints its version';
    trace.push({ atMs: 0, kind: 'exit', detail: `autossh refused the configuration (${why}): exit ${parsed.kind === 'version' ? 0 : 1}` });
    return {
      config, setupError: why, decisions, logs, trace, sshRuns, workingSpans, facts: timeline.facts,
      summary: {
        durationMs, sshStarts: 0, exitCode: parsed.kind === 'version' ? 0 : 1, exitAtMs: 0, countedUntilMs: durationMs, downtimeMs: durationMs,
        downFraction: 1, recoveries: recoveriesOf(timeline.facts, workingSpans, durationMs),
      },
    };
  }

  const describeEnd = (end: SshEnd): string => ('code' in end ? `exit ${end.code}` : `killed by ${end.signal}`);
  const supervisor = new Supervisor(parsed.config);
  const world = new OpensshWorld(clock, parsed.config, timeline.world, supervisor.tell, {
    log: (level, message, atMs) => logs.push({ atMs, level, message }),
    decision: (rule, detail, atMs) => {
      decisions.push({ atMs, rule, detail });
      trace.push({ atMs, kind: 'decision', rule, detail });
    },
    sshStarted: (n, atMs) => {
      sshRuns.push({ n, startMs: atMs, upMs: null, endMs: null, end: null });
      trace.push({ atMs, kind: 'ssh', detail: `ssh #${n} started` });
      for (const tied of sshFactsByNumber.get(n) ?? []) scheduleFact({ ...tied.fact, atMs: atMs + tied.afterMs } as Fact, n);
    },
    sshUp: (n, atMs) => {
      const run = sshRuns[sshRuns.length - 1];
      if (run) run.upMs = atMs;
      trace.push({ atMs, kind: 'ssh', detail: `ssh #${n} connected` });
    },
    sshEnded: (n, atMs, end, why) => {
      const run = sshRuns[sshRuns.length - 1];
      if (run) {
        run.endMs = atMs;
        run.end = describeEnd(end);
      }
      trace.push({ atMs, kind: 'ssh', detail: `ssh #${n} ended: ${describeEnd(end)} (${why})` });
    },
    workingChanged: (working, atMs) => {
      if (working) workingSinceMs = atMs;
      else if (workingSinceMs !== null) {
        workingSpans.push([workingSinceMs, atMs]);
        workingSinceMs = null;
      }
    },
    exited: (code, atMs) => trace.push({ atMs, kind: 'exit', detail: `autossh exited with status ${code}` }),
  }, { elideHealthyPolls: options.elideHealthyPolls ?? true });

  // A fact tied to ssh #n (`sshFor`) is placed when that ssh starts, and an instant one (an exit,
  // a signal) only happens if that ssh is still the one running: it belonged to that ssh's life.
  const sshFactsByNumber = new Map<number, SshFact[]>();
  for (const tied of timeline.sshFacts) sshFactsByNumber.set(tied.ssh, [...(sshFactsByNumber.get(tied.ssh) ?? []), tied]);
  const placedFacts: Fact[] = [];
  const scheduleFact = (fact: Fact, sshFor: number | null): void => {
    if (fact.atMs > durationMs) return;
    clock.at(fact.atMs, () => {
      const current = sshRuns[sshRuns.length - 1];
      if (sshFor !== null && !('forMs' in fact) && (current?.n !== sshFor || current.endMs !== null)) return;
      if (sshFor !== null) placedFacts.push(fact);
      trace.push({ atMs: fact.atMs, kind: 'fact', detail: sshFor === null ? describeFact(fact) : `ssh #${sshFor}: ${describeFact(fact)}` });
      world.begin(fact);
    });
    if ('forMs' in fact) clock.at(factEndMs(fact), () => world.end(fact));
  };
  // Facts are scheduled before the supervisor starts: at equal times the world changes first.
  for (const fact of timeline.facts) scheduleFact(fact, null);
  // autossh starts after the world's facts at 0: a timeline that opens with an outage means
  // the first ssh already meets it
  clock.at(0, () => supervisor.start(world, parsed.notices));
  const maxCallbacks = options.maxCallbacks ?? DEFAULT_MAX_CALLBACKS;
  const maxSshStarts = options.maxSshStarts ?? Infinity;
  for (let done = false; !done;) {
    done = clock.runSome(durationMs, SLICE_CALLBACKS);
    if (clock.fired > maxCallbacks) throw new Error(`virtual clock: more than ${maxCallbacks} callbacks before ${durationMs} ms`);
    if (world.sshStarts > maxSshStarts) {
      throw new ReplayTooLargeError(`${config.name}: ssh started more than ${maxSshStarts.toLocaleString('en-US')} times by ${formatOffset(clock.now())} `
        + `of the timeline's ${formatDuration(durationMs)}, the most one replay holds; shorten the timeline, raise AUTOSSH_POLL or set AUTOSSH_MAXSTART`);
    }
    if (!done) yield { atMs: clock.now(), sshStarts: world.sshStarts };
  }
  world.finish(durationMs);
  if (workingSinceMs !== null) workingSpans.push([workingSinceMs, durationMs]);

  // After autossh ends on purpose (its starts used up, its lifetime reached, an operator's
  // signal, ssh's own status 0) nobody meant the tunnel to run: the books close at the exit.
  const lastRule = decisions[decisions.length - 1]?.rule;
  const onPurpose = world.exitAtMs !== null && (world.exitCode === 0 || lastRule === 'maxStart' || signalledToExit(logs));
  const countedUntilMs = onPurpose ? world.exitAtMs! : durationMs;
  const downtimeMs = onPurpose ? countedUntilMs - workingWithin(workingSpans, countedUntilMs) : world.downtimeMs;
  const facts = placedFacts.length === 0 ? timeline.facts : [...timeline.facts, ...placedFacts].sort((a, b) => a.atMs - b.atMs);
  return {
    config, setupError: null, decisions, logs, trace, sshRuns, workingSpans, facts,
    summary: {
      durationMs,
      sshStarts: world.sshStarts,
      exitCode: world.exitCode,
      exitAtMs: world.exitAtMs,
      countedUntilMs,
      downtimeMs,
      downFraction: countedUntilMs === 0 ? 0 : downtimeMs / countedUntilMs,
      recoveries: recoveriesOf(facts, workingSpans, durationMs),
    },
  };
}

function signalledToExit(logs: ReplayResult['logs']): boolean {
  return logs.some((l) => l.message.startsWith('received signal to exit'));
}

/** how long the tunnel worked before `untilMs` */
function workingWithin(spans: ReadonlyArray<[number, number]>, untilMs: number): number {
  return spans.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, untilMs) - a), 0);
}

function recoveriesOf(facts: readonly Fact[], spans: ReadonlyArray<[number, number]>, durationMs: number): Recovery[] {
  // spans are sorted and disjoint: binary searches keep a year of outages linear-ish
  const firstEndingAfter = (t: number): number => {
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid]![1] > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const out: Recovery[] = [];
  for (const fact of facts) {
    if (!DISRUPTIVE.has(fact.kind) || fact.atMs > durationMs) continue;
    const endMs = Math.min(factEndMs(fact), durationMs);
    // the span in force at the fact's start, if any; the tunnel broke unless that span
    // outlasts the fact (an instant breaks a span that ends right there)
    const i = firstEndingAfter(fact.atMs);
    const span = spans[i];
    const workingAtStart = span !== undefined && span[0] <= fact.atMs;
    const brokeTunnel = !workingAtStart || span![1] <= endMs || (fact.atMs === endMs && span![1] === fact.atMs);
    const j = firstEndingAfter(endMs);
    const recoveredAt = spans[j] === undefined ? null : Math.max(spans[j]![0], endMs);
    out.push({ fact: describeFact(fact), atMs: fact.atMs, endMs, brokeTunnel, recoverMs: recoveredAt === null ? null : recoveredAt - endMs });
  }
  return out;
}
