// What a signal does to a Node process that installs no handler for it, as the kernel (and
// Node's own start-up) decide. Measured on Linux with `node -e 'setTimeout(() => {}, 1500)'`
// and `kill -SIG`: Node itself ignores SIGPIPE and SIGXFSZ (it sets them to SIG_IGN at start),
// and starts its inspector on SIGUSR1; every other signal keeps the kernel's default action.
import { SIGNAL_NUMBERS } from '../../src/machine/signals.js';

export type SignalDisposition =
  /** nothing happens */
  | 'ignore'
  /** the process stops until a SIGCONT (or dies of a fatal signal meanwhile) */
  | 'stop'
  /** a stopped process goes on; a running one carries on as before */
  | 'continue'
  /** Node's default: the inspector starts listening; the process carries on */
  | 'inspector'
  /** the process dies of it */
  | 'fatal';

const IGNORED = new Set(['SIGCHLD', 'SIGURG', 'SIGWINCH', 'SIGPIPE', 'SIGXFSZ']);
const STOPPING = new Set(['SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/** The disposition of `name` ("SIGWINCH") in a Node process without a handler for it. */
export function nodeDefaultDisposition(name: string): SignalDisposition {
  if (IGNORED.has(name)) return 'ignore';
  if (STOPPING.has(name)) return 'stop';
  if (name === 'SIGCONT') return 'continue';
  if (name === 'SIGUSR1') return 'inspector';
  return 'fatal';
}

/** The Linux signal names (SIGHUP ... SIGSYS), the ones a scenario may send. */
export const SIGNAL_NAMES: readonly string[] = Object.keys(SIGNAL_NUMBERS);

/** "HUP" or "SIGHUP" -> "SIGHUP", as the oracle's harness reads a scenario's signal; null if unknown. */
export function canonicalSignalName(text: string): string | null {
  const name = text.startsWith('SIG') ? text : `SIG${text}`;
  return name in SIGNAL_NUMBERS ? name : null;
}
