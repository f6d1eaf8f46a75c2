// Every line the machine logs and every decision it records, in one place, by the rule that says
// it. Traces, goldens and the oracle compare these byte for byte against 1.4g's log (where 1.4g
// has the line) and against earlier runs: change a word here and they say so.
import { signalNumber } from './signals.js';

/** A decision's trace entry: the rule that made it, and what it decided. */
export interface DecisionText {
  rule: string;
  detail: string;
}

// --- starting ssh (1.4g's start loop) ---
export const startingSsh = (n: number, maxStart: number): string =>
  `starting ssh (${maxStart < 0 ? `count ${n}` : `count ${n} of ${maxStart}`})`;
export const spawnFailed = (sshPath: string, cause: string): string => `${sshPath}: ${cause}`;
export const spawnRetryLog = (cause: string, seconds: number): string => `cannot start ssh: ${cause}: retrying in ${seconds} s`;
export const spawnRetryDecision = (cause: string, failures: number, seconds: number): DecisionText => ({
  rule: 'spawnRetry',
  detail: `ssh could not be started (${cause}), ${failures} time(s) in a row: retry in ${seconds} s`,
});

// --- the wait before a start: grace time (1.4g), forward retry (D10), jitter (D12) ---
const jitterSpread = (jitterMs: number): string => (jitterMs > 0 ? ` and ${jitterMs} ms of AUTOSSH_JITTER` : '');
export const graceTimeLog = (graceSeconds: number): string => `sleeping for grace time ${graceSeconds} secs`;
export const graceTimeDecision = (tries: number, graceSeconds: number, jitterMs: number): DecisionText => ({
  rule: 'graceTime',
  detail: `${tries} fast tries in a row: wait ${graceSeconds} s${jitterSpread(jitterMs)} before the next start`,
});
export const forwardRetryLog = (seconds: number): string => `retrying the remote forward in ${seconds} s`;
export const forwardRetryDecision = (failures: number, seconds: number, jitterMs: number): DecisionText => ({
  rule: 'forwardRetry',
  detail: `remote forward failed ${failures} time(s) in a row: retry in ${seconds} s${jitterSpread(jitterMs)} (D10)`,
});
export const jitterLog = (jitterMs: number): string => `waiting ${jitterMs} ms (AUTOSSH_JITTER) before restarting ssh`;
export const jitterDecision = (jitterMs: number): DecisionText => ({
  rule: 'jitter',
  detail: `restarts spread by AUTOSSH_JITTER: wait ${jitterMs} ms (D12)`,
});

// --- D1: SIGHUP/SIGUSR1 end a backoff wait ---
export const PROD_LOG = 'signalled to start ssh now';
export const PROD_DECISION: DecisionText = { rule: 'prodDuringBackoff', detail: 'SIGHUP/SIGUSR1 ends the wait (D1)' };

// --- D2: SIGHUP tests the connection now ---
export const HANGUP_DECISION: DecisionText = { rule: 'hangupTestsNow', detail: 'SIGHUP: test the connection now (D2)' };

// --- D9: AUTOSSH_CONNECTTIME ---
export const sessionEstablished = (afterMs: number): string => `ssh session established after ${(afterMs / 1000).toFixed(1)} s`;
export const notEstablishedLog = (connectSeconds: number): string =>
  `ssh session not established ${connectSeconds} s after its start; restarting ssh`;
export const notEstablishedDecision = (connectSeconds: number): DecisionText => ({
  rule: 'connectTimeExceeded',
  detail: `no sign of an established session within AUTOSSH_CONNECTTIME=${connectSeconds} s: restart ssh (D9)`,
});

// --- D10: a stale remote listener ---
export const forwardFailedLog = (port: number): string =>
  `remote port forwarding failed for listen port ${port}: the server still holds it for an old session; ` +
  'set ClientAliveInterval and ClientAliveCountMax in its sshd_config so it lets go sooner; restarting ssh';
export const forwardFailedDecision = (port: number): DecisionText => ({
  rule: 'remoteForwardFailed',
  detail: `the server refused -R port ${port} (a stale listener): restart ssh on the short retry schedule (D10)`,
});

// --- D11: AUTOSSH_NETWATCH ---
export const networkChangedStartLog = (detail: string): string => `network changed (${detail}): starting ssh now`;
export const networkChangedStartDecision = (detail: string): DecisionText => ({
  rule: 'networkChanged',
  detail: `${detail}: the backoff wait ends (D11)`,
});
export const networkChangedJitterLog = (detail: string): string => `network changed (${detail}): starting ssh after its jitter`;
export const networkChangedJitterDecision = (detail: string): DecisionText => ({
  rule: 'networkChanged',
  detail: `${detail}: the backoff wait shrinks to the jitter (D11, D12)`,
});

// --- connection tests (1.4g's -M) ---
export const TEST_FAILED_LOG = 'port down, restarting ssh';
export const testFailedDecision = (reason: string): DecisionText => ({
  rule: 'connectionTestFailed',
  detail: `connection test failed (${reason}): restart ssh`,
});

// --- what an ssh exit means (1.4g's ssh_wait; decisions/exit-classification.ts) ---
export const exitedOnSignal = (signal: string): string => `ssh exited on signal ${signalNumber(signal)}, restarting ssh`;
export const exitedInsideGate = (status: number): string => `ssh exited prematurely with status ${status}; autossh exiting`;
export const exitedRestarting = (status: number): string => `ssh exited with error status ${status}; restarting ssh`;
export const exitedExiting = (status: number): string => `ssh exited with status ${status}; autossh exiting`;

// --- signals ---
export const receivedExitSignal = (signal: string): string => `received signal to exit (${signalNumber(signal)})`;
export const RESTART_SIGNAL_LOG = 'signalled to kill and restart ssh';
export const RESTART_SIGNAL_DECISION: DecisionText = { rule: 'restartSignal', detail: 'SIGUSR1: kill and restart ssh' };
export const SIGNALLED_TO_EXIT_LOG = 'signalled to exit';

// --- D4: AUTOSSH_KILLTIME ---
export const stillRunningAfterSigterm = (killSeconds: number): string => `ssh still running ${killSeconds} s after SIGTERM`;
export const SECOND_EXIT_SIGNAL = 'second signal to exit while ssh is stopping';
export const sendingSigkillLog = (why: string): string => `${why}; sending SIGKILL`;
export const sigkillDecision = (why: string): DecisionText => ({ rule: 'killTime', detail: why });

// --- AUTOSSH_MAXSTART ---
export const MAX_START_LOG = 'max start count reached; exiting';
export const MAX_START_DECISION: DecisionText = { rule: 'maxStart', detail: 'AUTOSSH_MAXSTART starts used up: exit 0' };

// --- AUTOSSH_MAXLIFETIME ---
export const MAX_LIFETIME_LOG = 'exceeded maximum time to live, shutting down';
/** the lifetime ran out while ssh ran: it is stopped first */
export const LIFETIME_STOP_DECISION: DecisionText = { rule: 'maxLifetime', detail: 'AUTOSSH_MAXLIFETIME reached: stop ssh, exit 0' };
/** found out at the top of the start loop */
export const LIFETIME_AT_START_DECISION: DecisionText = { rule: 'maxLifetime', detail: 'AUTOSSH_MAXLIFETIME reached: exit 0' };
/** its timer fell due during a backoff wait (D5) */
export const LIFETIME_WHILE_WAITING_DECISION: DecisionText = { rule: 'maxLifetime', detail: 'lifetime reached while waiting: exit 0' };
