// From what autossh logged to what must have happened around it. autossh only logs its own
// view, so the world is inferred backwards from each decision, and tied to the ssh it happened
// to (the log's 1 s timestamps cannot place an exit on the right ssh; its count can):
//   "ssh exited with error status S; restarting ssh"   -> that ssh ended on its own with S
//   "ssh exited with status S; autossh exiting"        -> the same, S = 0 or a give-up status
//   "ssh exited prematurely with status S; ..."        -> the same, inside the gate
//   "ssh exited on signal N, restarting ssh"           -> that ssh died of signal N
//   "port down, restarting ssh"                        -> a connection test failed: the network
//                                                          was silent for the test
//   "signalled to kill and restart ssh"                -> SIGUSR1 from an operator
//   "received signal to exit (N)"                      -> signal N from an operator
// A decision autossh made by itself (grace time, max start, lifetime) needs no fact.
import { SIGNAL_NUMBERS } from '../../src/machine/signals.js';
import type { LogLine } from './log-lines.js';

/** A fact of the world, `afterMs` into the life of ssh #`ssh` (0: before any ssh, at `atMs`). */
export type InferredFact = { ssh: number; afterMs: number; atMs: number; lineNo: number } & (
  | { kind: 'sshCrash'; exit?: number; signal?: string }
  | { kind: 'signal'; signal: string }
  | { kind: 'portDown' }
);

/** autossh's lines that say what it decided: what a replay must reproduce. */
export const DECISION_LINE = new RegExp('^(starting ssh|ssh exited|port down|signalled to kill and restart ssh|received signal to exit'
  + '|max start count reached|exceeded maximum time to live|signalled to exit|sleeping for grace time|ssh session not established'
  + '|retrying the remote forward|network changed|remote port forwarding failed)');

/** lines only LOG_DEBUG shows (1.4g and autossh-ts) */
export const DEBUG_LINE = /^(checking for grace period|check on child|expired child|set alarm|clear alarm|child of \d+ execing|connection ok|sleeping for grace time|connection test failed|waiting \d+ ms)/;

const NAME_BY_NUMBER = new Map(Object.entries(SIGNAL_NUMBERS).map(([name, n]) => [n, name]));

/** The lines of one autossh run: the first supervisor (or daemon tunnel) in the log that starts ssh. */
export interface LoggedRun {
  lines: LogLine[];
  /** "pid 1234", "tunnel db" */
  who: string | null;
  /** other supervisors and tunnels in the same log (AUTOSSH_LOGFILE appends run after run; a daemon logs all its tunnels) */
  others: string[];
}

function whoOf(line: LogLine): string {
  return line.tunnel === null ? `pid ${line.pid}` : line.pid === 0 ? `tunnel ${line.tunnel}` : `tunnel ${line.tunnel} (pid ${line.pid})`;
}

export function firstRun(lines: readonly LogLine[]): LoggedRun {
  // the supervisor is the one that starts ssh; a syslog or journal holds other programs' lines too
  const isStart = (l: LogLine): boolean => l.message.startsWith('starting ssh');
  const isChildLine = (l: LogLine): boolean => /^child of \d+ execing/.test(l.message);
  const first = lines.find(isStart) ?? lines.find((l) => !isChildLine(l));
  const who = first ? whoOf(first) : null;
  const others = [...new Set(lines.filter((l) => isStart(l) && whoOf(l) !== who).map(whoOf))];
  return { lines: lines.filter((l) => whoOf(l) === who), who, others };
}

export interface Inference {
  facts: InferredFact[];
  /** one per logged "starting ssh" */
  starts: Array<{ n: number; atMs: number; lineNo: number }>;
  decisions: Array<{ atMs: number; lineNo: number; message: string }>;
  unknowns: string[];
}

/** `lines`: one run's supervisor lines (firstRun); times in the result are ms after `startEpochMs`. */
export function inferFacts(lines: readonly LogLine[], startEpochMs: number): Inference {
  const facts: InferredFact[] = [];
  const unknowns: string[] = [];
  const starts: Inference['starts'] = [];
  const decisions: Inference['decisions'] = [];
  let ssh = 0;
  let sshStartMs = 0;
  let refusedTests = 0;
  let previous: LogLine | null = null;
  for (const line of lines) {
    const msg = line.message;
    const atMs = line.epochMs - startEpochMs;
    if (DECISION_LINE.test(msg)) decisions.push({ atMs, lineNo: line.lineNo, message: msg });
    const tied = { ssh, afterMs: ssh === 0 ? 0 : atMs - sshStartMs, atMs, lineNo: line.lineNo };
    let m: RegExpExecArray | null;
    if ((m = /^starting ssh \(count (\d+)/.exec(msg))) {
      ssh = Number(m[1]);
      sshStartMs = atMs;
      starts.push({ n: ssh, atMs, lineNo: line.lineNo });
    } else if ((m = /^ssh exited (?:with error status|with status|prematurely with status) (\d+)/.exec(msg))) {
      if (ssh > 0) facts.push({ ...tied, kind: 'sshCrash', exit: Number(m[1]) });
    } else if ((m = /^ssh exited on signal (\d+)/.exec(msg))) {
      const signal = NAME_BY_NUMBER.get(Number(m[1]));
      if (signal && ssh > 0) facts.push({ ...tied, kind: 'sshCrash', signal });
      else if (!signal) unknowns.push(`line ${line.lineNo}: ssh died of signal ${m[1]}, which has no Linux name`);
    } else if (msg.startsWith('port down')) {
      facts.push({ ...tied, kind: 'portDown' });
      if (previous && /: Connection refused$/.test(previous.message)) refusedTests++;
    } else if (msg.startsWith('signalled to kill and restart ssh')) {
      facts.push({ ...tied, kind: 'signal', signal: 'SIGUSR1' });
    } else if ((m = /^received signal to exit \((\d+)\)/.exec(msg))) {
      facts.push({ ...tied, kind: 'signal', signal: NAME_BY_NUMBER.get(Number(m[1])) ?? 'SIGTERM' });
    }
    previous = line;
  }
  if (refusedTests > 0) {
    unknowns.push(`${refusedTests} connection test(s) were refused at once ("…: Connection refused": nothing listened on ssh's -L end of the monitor): `
      + 'the simulated world has no fact for that while ssh stays up, so the replay\'s test fails one net timeout later, through a silent outage');
  }
  if (starts.length > 0 && starts[0]!.n !== 1) {
    unknowns.push(`the log starts in the middle of a run (its first start is ssh #${starts[0]!.n}): the replay numbers ssh from 1, so facts tied to ssh numbers are shifted by ${starts[0]!.n - 1}`);
  }
  if (facts.some((f) => f.kind === 'sshCrash')) {
    unknowns.push('why each ssh exited (network, server or ssh itself): replayed as that ssh ending with the logged status, as long into its life as logged (to the second)');
  }
  if (facts.some((f) => f.kind === 'portDown')) {
    unknowns.push('what broke the connection tests ("port down"): replayed as a silent outage covering each test; its real start and end are unknown');
  }
  unknowns.push('the network and server between logged events: assumed healthy');
  return { facts, starts, decisions, unknowns };
}

/** Renumber facts and starts when the log opened mid-run, so the first logged start is ssh #1. */
export function renumberFrom(inference: Inference): Inference {
  const first = inference.starts[0]?.n ?? 1;
  if (first === 1) return inference;
  const shift = (n: number): number => Math.max(0, n - first + 1);
  return {
    ...inference,
    facts: inference.facts.map((f) => ({ ...f, ssh: shift(f.ssh) })),
    starts: inference.starts.map((s) => ({ ...s, n: shift(s.n) })),
  };
}
