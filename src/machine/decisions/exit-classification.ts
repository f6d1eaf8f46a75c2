// What an ssh exit means (1.4g's ssh_wait). The gate comes first: a first ssh that ends, with
// ANY status, within AUTOSSH_GATETIME is taken as a setup error (wrong host, bad key) and
// autossh gives up. A death by signal is always restarted, gate or not.
//
// Guards ask `exitRuleOf` (no text is built: a year of restarts asks it twice per exit); the
// action that logs the exit asks `classifyExit`, which adds its words (messages.ts).
import type { SshEnd } from '../events.js';
import { exitedExiting, exitedInsideGate, exitedOnSignal, exitedRestarting } from '../messages.js';

/** The rule that decided, as named in replay traces. */
export type ExitRule = 'killedBySignal' | 'exitedInsideGate' | 'status255' | 'status0' | 'status1or2AfterFirstRun' | 'statusMeansGiveUp';
export type ExitAction = 'restart' | 'exitOk' | 'exitError';

export type ExitVerdict = {
  action: ExitAction;
  /** the rule that decided, for replay traces */
  rule: ExitRule;
  message: string;
};

export interface ExitFacts {
  startCount: number;
  gateSeconds: number;
  runMs: number;
}

/** What each rule does with autossh. */
export const EXIT_ACTIONS: Readonly<Record<ExitRule, ExitAction>> = {
  killedBySignal: 'restart',
  exitedInsideGate: 'exitError',
  status255: 'restart',
  status0: 'exitOk',
  status1or2AfterFirstRun: 'restart',
  statusMeansGiveUp: 'exitError',
};

export function exitRuleOf(end: SshEnd, facts: ExitFacts): ExitRule {
  if (end.signal !== undefined) return 'killedBySignal';
  const status = end.code;
  const isFirstRun = facts.startCount === 1;
  if (isFirstRun && facts.gateSeconds !== 0 && facts.runMs <= facts.gateSeconds * 1000) return 'exitedInsideGate';
  // a dropped connection and a failed login look the same; the gate above told them apart
  if (status === 255) return 'status255';
  if (status === 0) return 'status0';
  // it worked once, so this is the network failing a reconnect
  if ((status === 1 || status === 2) && (!isFirstRun || facts.gateSeconds === 0)) return 'status1or2AfterFirstRun';
  return 'statusMeansGiveUp';
}

export function classifyExit(end: SshEnd, facts: ExitFacts): ExitVerdict {
  const rule = exitRuleOf(end, facts);
  const action = EXIT_ACTIONS[rule];
  if (end.signal !== undefined) return { action, rule, message: exitedOnSignal(end.signal) };
  const status = end.code;
  switch (rule) {
    case 'exitedInsideGate': return { action, rule, message: exitedInsideGate(status) };
    case 'status255':
    case 'status1or2AfterFirstRun': return { action, rule, message: exitedRestarting(status) };
    default: return { action, rule, message: exitedExiting(status) };
  }
}
