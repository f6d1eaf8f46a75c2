// From what autossh logged to what must have happened around it. autossh only logs its own
// view, so the world is inferred backwards from each decision:
//   "ssh exited with error status S; restarting ssh"   -> ssh ended on its own with S
//   "ssh exited with status S; autossh exiting"        -> the same, S = 0 or a give-up status
//   "ssh exited prematurely with status S; ..."        -> the same, inside the gate
//   "ssh exited on signal N, restarting ssh"           -> ssh died of signal N
//   "port down, restarting ssh"                        -> a connection test failed: the network
//                                                          was silent for the test
//   "signalled to kill and restart ssh"                -> SIGUSR1 from an operator
//   "received signal to exit (N)"                      -> signal N from an operator
// A decision autossh made by itself (grace time, max start, lifetime) needs no fact.
import { SIGNAL_NUMBERS } from '../../src/machine/signals.js';
import type { LogLine } from './log-lines.js';

export type InferredFact =
  | { atEpochMs: number; kind: 'sshCrash'; exit?: number; signal?: string; lineNo: number }
  | { atEpochMs: number; kind: 'signal'; signal: string; lineNo: number }
  | { atEpochMs: number; kind: 'portDown'; lineNo: number };

const NAME_BY_NUMBER = new Map(Object.entries(SIGNAL_NUMBERS).map(([name, n]) => [n, name]));

export interface Inference {
  facts: InferredFact[];
  starts: number;
  /** the supervisor's pid: the one that says "starting ssh" */
  pid: number | null;
  unknowns: string[];
}

export function inferFacts(lines: readonly LogLine[]): Inference {
  const supervisor = lines.find((l) => l.message.startsWith('starting ssh'))?.pid ?? null;
  const facts: InferredFact[] = [];
  const unknowns: string[] = [];
  let starts = 0;
  for (const line of lines) {
    if (supervisor !== null && line.pid !== supervisor) continue; // the child's "execing" lines
    const msg = line.message;
    const at = { atEpochMs: line.epochMs, lineNo: line.lineNo };
    let m: RegExpExecArray | null;
    if (msg.startsWith('starting ssh')) starts++;
    else if ((m = /^ssh exited (?:with error status|with status|prematurely with status) (\d+)/.exec(msg))) {
      facts.push({ ...at, kind: 'sshCrash', exit: Number(m[1]) });
    } else if ((m = /^ssh exited on signal (\d+)/.exec(msg))) {
      const signal = NAME_BY_NUMBER.get(Number(m[1]));
      if (signal) facts.push({ ...at, kind: 'sshCrash', signal });
      else unknowns.push(`line ${line.lineNo}: ssh died of signal ${m[1]}, which has no Linux name`);
    } else if (msg.startsWith('port down')) {
      facts.push({ ...at, kind: 'portDown' });
    } else if (msg.startsWith('signalled to kill and restart ssh')) {
      facts.push({ ...at, kind: 'signal', signal: 'SIGUSR1' });
    } else if ((m = /^received signal to exit \((\d+)\)/.exec(msg))) {
      facts.push({ ...at, kind: 'signal', signal: NAME_BY_NUMBER.get(Number(m[1])) ?? 'SIGTERM' });
    }
  }
  if (facts.some((f) => f.kind === 'sshCrash')) {
    unknowns.push('why each ssh exited (network, server or ssh itself): replayed as ssh ending with the logged status');
  }
  if (facts.some((f) => f.kind === 'portDown')) {
    unknowns.push('what broke the connection tests ("port down"): replayed as a silent outage covering each test; its real start and end are unknown');
  }
  unknowns.push('the network and server between logged events: assumed healthy');
  return { facts, starts, pid: supervisor, unknowns };
}
