// What an ssh exit means (1.4g's ssh_wait). The gate comes first: a first ssh that ends, with
// ANY status, within AUTOSSH_GATETIME is taken as a setup error (wrong host, bad key) and
// autossh gives up. A death by signal is always restarted, gate or not.
import type { SshEnd } from '../events.js';
import { signalNumber } from '../signals.js';

export type ExitVerdict = {
  action: 'restart' | 'exitOk' | 'exitError';
  /** the rule that decided, for replay traces */
  rule: string;
  message: string;
};

export interface ExitFacts {
  startCount: number;
  gateSeconds: number;
  runMs: number;
}

export function classifyExit(end: SshEnd, facts: ExitFacts): ExitVerdict {
  if (end.signal !== undefined) {
    return {
      action: 'restart',
      rule: 'killedBySignal',
      message: `ssh exited on signal ${signalNumber(end.signal)}, restarting ssh`,
    };
  }
  const status = end.code;
  const isFirstRun = facts.startCount === 1;
  if (isFirstRun && facts.gateSeconds !== 0 && facts.runMs <= facts.gateSeconds * 1000) {
    return {
      action: 'exitError',
      rule: 'exitedInsideGate',
      message: `ssh exited prematurely with status ${status}; autossh exiting`,
    };
  }
  if (status === 255) {
    // a dropped connection and a failed login look the same; the gate above told them apart
    return { action: 'restart', rule: 'status255', message: `ssh exited with error status ${status}; restarting ssh` };
  }
  if (status === 0) {
    return { action: 'exitOk', rule: 'status0', message: `ssh exited with status ${status}; autossh exiting` };
  }
  if ((status === 1 || status === 2) && (!isFirstRun || facts.gateSeconds === 0)) {
    // it worked once, so this is the network failing a reconnect
    return {
      action: 'restart',
      rule: 'status1or2AfterFirstRun',
      message: `ssh exited with error status ${status}; restarting ssh`,
    };
  }
  return { action: 'exitError', rule: 'statusMeansGiveUp', message: `ssh exited with status ${status}; autossh exiting` };
}
