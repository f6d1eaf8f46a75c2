// Who ended ssh: per fault and supervisor, read from what the supervisor and its ssh said (the
// log file and stderr, in the order the lab saw them) and when its ssh processes ended. Pure, so
// it is unit-tested on made-up lines.
//
// Causes, each from its own evidence:
// - serverAlive: ssh's own ServerAlive gave up: "Timeout, server X not responding." on stderr.
// - connectionTest: autossh's connection test failed: "port down, restarting ssh" in its log.
// - supervisorRule: one of autossh-ts's liveness rules, by its log line: connectTimeExceeded
//   ("ssh session not established N s after its start"), remoteForwardFailed ("remote port
//   forwarding failed for listen port N: ..."), networkChanged ("network changed (...)"); a line
//   may also name the rule itself. Only lines of the log count: ssh's own "Error: remote port
//   forwarding failed" on stderr is ssh speaking, not the rule.
// - faultEnd: the ssh ended within FAULT_END_WINDOW_MS of the fault being switched off, with no
//   evidence of the above (e.g. a Toxiproxy timeout toxic closes what it held when removed).
// - sshError: ssh exited by itself on an error it printed ("ssh: connect to host ...: No route to
//   host", "Error: remote port forwarding failed ...", "Connection closed by ...").
// - unknown: it ended, and nothing says why.
// - none: no ssh that was running when the fault began ended in the fault's window.
//
// `endedBy` is about the ssh that was running when the fault began (the one `detectMs` times).
// `laterEnds` counts how every ssh started after it in the window ended (one cause each: the
// supervisor's line first, then ServerAlive, then ssh's own error), and `rules` counts every rule
// line in the window, including networkChanged, which ends a wait and starts ssh, not ends one.
import type { OutputLine, SshLife } from './supervisor.js';

export type EndCause = 'serverAlive' | 'connectionTest' | 'supervisorRule' | 'faultEnd' | 'sshError' | 'unknown';
export type SupervisorRule = 'connectTimeExceeded' | 'remoteForwardFailed' | 'networkChanged';

export interface Attribution {
  /** Who ended the ssh that was running at the fault's start; 'none' when it outlived the window. */
  endedBy: EndCause | 'none';
  /** The rule, when endedBy is supervisorRule. */
  endedByRule: SupervisorRule | null;
  /** The line that says so (or why faultEnd/unknown was concluded); null for none. */
  evidence: string | null;
  /** How the ssh processes started after it in the window ended, counted by cause. */
  laterEnds: Partial<Record<EndCause, number>>;
  /** autossh-ts rule lines in the window, counted by rule. */
  rules: Partial<Record<SupervisorRule, number>>;
}

/** A Toxiproxy toxic's removal closes connections while the API call returns: allow a little before, and after. */
export const FAULT_END_WINDOW_MS = 1_000;
const FAULT_END_EARLY_MS = 200;
/** /proc is polled every 50 ms: an end is seen up to one poll late, its evidence a little before. */
const END_SLACK_MS = 100;

const SERVER_ALIVE = /Timeout, server .* not responding/;
const CONNECTION_TEST = /port down, restarting ssh/;
const STARTING_SSH = /starting ssh \(count \d+\)/;
const RULE_LINES: ReadonlyArray<readonly [SupervisorRule, RegExp, { endsSsh: boolean }]> = [
  ['connectTimeExceeded', /connectTimeExceeded|not established/i, { endsSsh: true }],
  ['remoteForwardFailed', /remoteForwardFailed|forwarding failed/i, { endsSsh: true }],
  ['networkChanged', /networkChanged|network/i, { endsSsh: false }],
];
/** stderr lines that are not an ssh saying why it stops. */
const NOT_AN_ERROR = [
  /^Warning: Permanently added/,
  // Without ExitOnForwardFailure ssh carries on after this one.
  /^Warning: remote port forwarding failed/,
  /^debug\d: /,
  /^(Authenticated to|Transferred: |Bytes per second)/,
  // A supervisor's own words (AUTOSSH_DEBUG copies its log lines to stderr).
  /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \S+\[\d+\]: /,
  /^autossh(-ts)?(\[\d+\])?: /,
];

type Evidence = { cause: 'serverAlive' | 'connectionTest' | 'sshError' } | { cause: 'supervisorRule'; rule: SupervisorRule; endsSsh: boolean };

/** What one line says about an ssh ending, if anything. */
export function classifyLine(line: Pick<OutputLine, 'source' | 'text'>): Evidence | undefined {
  if (line.source === 'log') {
    if (CONNECTION_TEST.test(line.text)) return { cause: 'connectionTest' };
    for (const [rule, pattern, { endsSsh }] of RULE_LINES) if (pattern.test(line.text)) return { cause: 'supervisorRule', rule, endsSsh };
    return undefined;
  }
  if (SERVER_ALIVE.test(line.text)) return { cause: 'serverAlive' };
  if (NOT_AN_ERROR.some((p) => p.test(line.text))) return undefined;
  return { cause: 'sshError' };
}

export interface AttributionInput {
  fault: { startMs: number; endMs: number };
  /** The window's end: the next fault's start, or the end of observation. */
  windowEndMs: number;
  sshLives: readonly SshLife[];
  lines: readonly OutputLine[];
}

export function attributeFault({ fault, windowEndMs, sshLives, lines }: AttributionInput): Attribution {
  const rules: Partial<Record<SupervisorRule, number>> = {};
  for (const line of lines) {
    if (line.ms < fault.startMs || line.ms >= windowEndMs) continue;
    const e = classifyLine(line);
    if (e?.cause === 'supervisorRule') rules[e.rule] = (rules[e.rule] ?? 0) + 1;
  }

  // The ssh that was running at the fault's start and ended first (the one detectMs times).
  const detected = sshLives
    .filter((l) => l.startMs <= fault.startMs && l.endMs !== null && l.endMs > fault.startMs && l.endMs <= windowEndMs)
    .sort((a, b) => a.endMs! - b.endMs!)[0];
  if (detected === undefined) {
    return { endedBy: 'none', endedByRule: null, evidence: null, laterEnds: laterEnds(fault, windowEndMs, lines, startIndexAfter(lines, fault.startMs, -1)), rules };
  }
  const endMs = detected.endMs!;
  const from = Math.max(fault.startMs, detected.startMs);
  let endingIndex = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.ms < from) continue;
    if (line.ms > endMs + END_SLACK_MS) break;
    const e = classifyLine(line);
    if (e && !(e.cause === 'supervisorRule' && !e.endsSsh)) endingIndex = pick(lines, endingIndex, i);
  }
  const endedAtFaultEnd = endMs >= fault.endMs - FAULT_END_EARLY_MS && endMs <= fault.endMs + FAULT_END_WINDOW_MS;
  const found = endingIndex >= 0 ? classifyLine(lines[endingIndex]!)! : undefined;
  let endedBy: EndCause;
  let evidence: string;
  if (found && found.cause !== 'sshError') {
    endedBy = found.cause;
    evidence = lines[endingIndex]!.text;
  } else if (endedAtFaultEnd) {
    endedBy = 'faultEnd';
    evidence = `ended ${endMs - fault.endMs} ms after the fault was switched off${found ? `: ${lines[endingIndex]!.text}` : ''}`;
  } else if (found) {
    endedBy = 'sshError';
    evidence = lines[endingIndex]!.text;
  } else {
    endedBy = 'unknown';
    evidence = `ended ${endMs - fault.startMs} ms into the fault; nothing in its log or stderr says why`;
  }
  const boundary = endingIndex >= 0 ? endingIndex : lastIndexBefore(lines, endMs - END_SLACK_MS);
  return {
    endedBy,
    endedByRule: found?.cause === 'supervisorRule' && endedBy === 'supervisorRule' ? found.rule : null,
    evidence,
    laterEnds: laterEnds(fault, windowEndMs, lines, startIndexAfter(lines, fault.startMs, boundary)),
    rules,
  };
}

/** Of two ending lines, the supervisor's word wins over ssh's near the same end; else the later one. */
function pick(lines: readonly OutputLine[], current: number, next: number): number {
  if (current < 0) return next;
  const rank = (i: number): number => {
    const e = classifyLine(lines[i]!)!;
    return e.cause === 'sshError' ? 0 : 1;
  };
  return rank(next) >= rank(current) ? next : current;
}

function lastIndexBefore(lines: readonly OutputLine[], ms: number): number {
  let index = -1;
  for (let i = 0; i < lines.length && lines[i]!.ms < ms; i++) index = i;
  return index;
}

/** The first line index after `after` whose time is at or after `fromMs`. */
function startIndexAfter(lines: readonly OutputLine[], fromMs: number, after: number): number {
  let i = after + 1;
  while (i < lines.length && lines[i]!.ms < fromMs) i++;
  return i;
}

/**
 * Every ssh started from line `from` on and before the window's end: its segment runs from its
 * "starting ssh" line to the next one, and the segment's evidence says how it ended. The last
 * segment without evidence is an ssh still running.
 */
function laterEnds(fault: { startMs: number; endMs: number }, windowEndMs: number, lines: readonly OutputLine[], from: number): Partial<Record<EndCause, number>> {
  const starts: number[] = [];
  for (let i = from; i < lines.length && lines[i]!.ms < windowEndMs; i++) {
    if (lines[i]!.source === 'log' && STARTING_SSH.test(lines[i]!.text)) starts.push(i);
  }
  const counts: Partial<Record<EndCause, number>> = {};
  for (const [k, start] of starts.entries()) {
    const next = starts[k + 1];
    let supervisor: Evidence | undefined;
    let serverAlive = false;
    let errorAt: number | undefined;
    for (let i = start + 1; i < (next ?? lines.length) && lines[i]!.ms < windowEndMs; i++) {
      const e = classifyLine(lines[i]!);
      if (!e) continue;
      if ((e.cause === 'connectionTest' || (e.cause === 'supervisorRule' && e.endsSsh)) && supervisor === undefined) supervisor = e;
      else if (e.cause === 'serverAlive') serverAlive = true;
      else if (e.cause === 'sshError') errorAt ??= lines[i]!.ms;
    }
    let cause: EndCause | undefined;
    if (supervisor) cause = supervisor.cause === 'connectionTest' ? 'connectionTest' : 'supervisorRule';
    else if (serverAlive) cause = 'serverAlive';
    else if (errorAt !== undefined) cause = errorAt >= fault.endMs - FAULT_END_EARLY_MS && errorAt <= fault.endMs + FAULT_END_WINDOW_MS ? 'faultEnd' : 'sshError';
    else if (next !== undefined) cause = 'unknown';
    if (cause) counts[cause] = (counts[cause] ?? 0) + 1;
  }
  return counts;
}
