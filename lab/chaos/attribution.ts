// Who ended ssh: per fault and supervisor, read from what the supervisor and its ssh said (the
// log file and stderr) and when its ssh processes ended. Pure, so it is unit-tested on made-up
// lines.
//
// Causes, each from its own evidence:
// - serverAlive: ssh's own ServerAlive gave up: "Timeout, server X not responding." on stderr.
// - connectionTest: autossh's connection test failed: "port down, restarting ssh" in its log.
// - supervisorRule: one of autossh-ts's liveness rules, by its log line: connectTimeExceeded
//   ("ssh session not established N s after its start"), remoteForwardFailed ("remote port
//   forwarding failed for listen port N: ..."), networkChanged ("network changed (...)"); a line
//   naming the rule counts too. Only log lines count: ssh's own "Error: remote port forwarding
//   failed" on stderr is ssh speaking, not the rule.
// - faultEnd: the fault's end closes connections (a Toxiproxy timeout toxic closes what it held
//   when removed) and the ssh ended within FAULT_END_WINDOW_MS of it, with no evidence of the above.
// - sshError: ssh exited by itself on an error it printed ("ssh: connect to host ...: No route to
//   host", "Error: remote port forwarding failed ...", "Connection closed by ...").
// - unknown: it ended, and nothing says why.
// - none: no ssh that was running when the fault began ended in the fault's window.
//
// `endedBy` is about the ssh that was running when the fault began (the one `detectMs` times).
// `laterEnds` counts how the ssh processes started after it in the window ended. `rules` counts
// every rule line in the window, networkChanged included (it ends a wait and starts ssh; it does
// not end one).
//
// The log is a file and stderr a pipe: the lab reads them at different moments, so their lines
// are not reliably in the order they were written (an ssh's last words can arrive after the
// supervisor's "starting ssh" for the next one). Nothing here depends on their interleaving:
// the ssh running at the fault's start is matched to evidence by time, near its end as /proc saw
// it; later ends are counted from the supervisor's "starting ssh" lines and explained by the
// evidence, each end once: a supervisor's line and ssh's own error about the same end
// (autossh-ts's remoteForwardFailed and ssh's "Error: remote port forwarding failed") are one.
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

/** A Toxiproxy toxic's removal closes connections while the API call returns: a little before, up to this after. */
export const FAULT_END_WINDOW_MS = 1_000;
const FAULT_END_EARLY_MS = 200;
/**
 * How far from an ssh's end (as /proc saw it, up to one 50 ms poll late) its evidence may be
 * stamped: before it, as ssh prints and then exits; after it, as a pipe's data can be read late.
 */
const BEFORE_END_MS = 1_000;
const AFTER_END_MS = 250;
/** A supervisor's line and ssh's own error this close together are about one end. */
const SAME_END_MS = 300;
/** "starting ssh" for the next ssh can be read up to one /proc poll before the end of the previous one is seen. */
const POLL_SLACK_MS = 60;

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

export type Evidence =
  | { cause: 'serverAlive' | 'connectionTest' | 'sshError' }
  | { cause: 'supervisorRule'; rule: SupervisorRule; endsSsh: boolean };

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
  fault: { startMs: number; endMs: number; /** Switching it off closes connections (default false). */ endCloses?: boolean };
  /** The window's end: the next fault's start, or the end of observation. */
  windowEndMs: number;
  sshLives: readonly SshLife[];
  lines: readonly OutputLine[];
}

/** An ending line: the supervisor's own, ServerAlive's, or ssh's error. */
interface Ending {
  index: number;
  ms: number;
  evidence: Evidence;
  /** supervisor (connectionTest, an ending rule) and ServerAlive rank over ssh's own error. */
  strong: boolean;
}

export function attributeFault({ fault, windowEndMs, sshLives, lines }: AttributionInput): Attribution {
  const inWindow = (ms: number): boolean => ms >= fault.startMs && ms < windowEndMs;
  const atFaultEnd = (ms: number): boolean => fault.endCloses === true && ms >= fault.endMs - FAULT_END_EARLY_MS && ms <= fault.endMs + FAULT_END_WINDOW_MS;

  const rules: Partial<Record<SupervisorRule, number>> = {};
  const endings: Ending[] = [];
  lines.forEach((line, index) => {
    const evidence = classifyLine(line);
    if (!evidence) return;
    if (evidence.cause === 'supervisorRule' && inWindow(line.ms)) rules[evidence.rule] = (rules[evidence.rule] ?? 0) + 1;
    if (evidence.cause === 'supervisorRule' && !evidence.endsSsh) return;
    endings.push({ index, ms: line.ms, evidence, strong: evidence.cause !== 'sshError' });
  });

  // The ssh that was running at the fault's start and ended first (the one detectMs times).
  const detected = sshLives
    .filter((l) => l.startMs <= fault.startMs && l.endMs !== null && l.endMs > fault.startMs && l.endMs <= windowEndMs)
    .sort((a, b) => a.endMs! - b.endMs!)[0];

  let head: Pick<Attribution, 'endedBy' | 'endedByRule' | 'evidence'> = { endedBy: 'none', endedByRule: null, evidence: null };
  let used: Ending | undefined;
  let laterFromMs = fault.startMs;
  if (detected) {
    const endMs = detected.endMs!;
    const from = Math.max(fault.startMs, detected.startMs, endMs - BEFORE_END_MS);
    const near = endings.filter((e) => e.ms >= from && e.ms <= endMs + AFTER_END_MS);
    // The supervisor's or ServerAlive's word over ssh's own error; then the one nearest the end.
    used = near.sort((a, b) => Number(b.strong) - Number(a.strong) || Math.abs(a.ms - endMs) - Math.abs(b.ms - endMs))[0];
    const text = used === undefined ? undefined : lines[used.index]!.text;
    if (used && used.strong) {
      const e = used.evidence;
      head = { endedBy: e.cause, endedByRule: e.cause === 'supervisorRule' ? e.rule : null, evidence: text! };
    } else if (atFaultEnd(endMs)) {
      head = { endedBy: 'faultEnd', endedByRule: null, evidence: `ended ${endMs - fault.endMs} ms after the fault was switched off${text ? `: ${text}` : ''}` };
    } else if (used) {
      head = { endedBy: 'sshError', endedByRule: null, evidence: text! };
    } else {
      head = { endedBy: 'unknown', endedByRule: null, evidence: `ended ${endMs - fault.startMs} ms into the fault; nothing in its log or stderr says why` };
    }
    laterFromMs = endMs - POLL_SLACK_MS;
  }

  return { ...head, laterEnds: laterEnds(), rules };

  /**
   * Ends after the first. How many: every ssh the supervisor logged starting from the first one's
   * end on, less one still running at the window's end. Why: each supervisor or ServerAlive line
   * is one end (with ssh's own error lines near it: the same end); ssh's errors account for the
   * rest, one per stamp (the different lines one ssh prints as it dies arrive together), at most
   * as many as there are ends left; unknown for what is still unaccounted for.
   */
  function laterEnds(): Partial<Record<EndCause, number>> {
    const counts: Partial<Record<EndCause, number>> = {};
    const add = (cause: EndCause, n = 1): void => {
      if (n > 0) counts[cause] = (counts[cause] ?? 0) + n;
    };
    const candidates = endings.filter((e) => e !== used && e.ms >= laterFromMs && e.ms < windowEndMs);
    const strong = candidates.filter((e) => e.strong);
    // An ssh dying prints its lines in one write, read as one chunk: one stamp, one end. Two
    // ssh failing the same way at once print the same line twice: two ends.
    const weak = candidates
      .filter((e) => !e.strong && !strong.some((s) => Math.abs(s.ms - e.ms) <= SAME_END_MS))
      .filter((e, i, all) => i === 0 || all[i - 1]!.ms !== e.ms || lines[all[i - 1]!.index]!.text === lines[e.index]!.text);
    for (const e of strong) add(e.evidence.cause === 'connectionTest' ? 'connectionTest' : e.evidence.cause === 'serverAlive' ? 'serverAlive' : 'supervisorRule');

    const logsStarts = lines.some((l) => l.source === 'log' && STARTING_SSH.test(l.text));
    const starts = lines.filter((l) => l.source === 'log' && l.ms >= laterFromMs && l.ms < windowEndMs && STARTING_SSH.test(l.text)).length;
    const stillRunning = sshLives.some((l) => l.startMs >= laterFromMs && l.startMs < windowEndMs && (l.endMs === null || l.endMs >= windowEndMs)) ? 1 : 0;
    let left = logsStarts ? starts - stillRunning - strong.length : weak.length;
    const atEnd = weak.filter((e) => atFaultEnd(e.ms)).length;
    const fromFaultEnd = Math.min(Math.max(left, 0), atEnd);
    add('faultEnd', fromFaultEnd);
    left -= fromFaultEnd;
    const fromErrors = Math.min(Math.max(left, 0), weak.length - atEnd);
    add('sshError', fromErrors);
    left -= fromErrors;
    add('unknown', left);
    return counts;
  }
}
