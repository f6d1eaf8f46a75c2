// Why an ssh ended, as the `reason` label of autossh_ssh_exits_total and /status's lastExit.
// A closed set, so a label never grows with what ssh happens to return: the statuses 1.4g's
// rules tell apart (0, 1, 2, 255) each have a name, every other status is `status_other`.
import type { SshEnd } from '../machine/events.js';

export const EXIT_REASONS = [
  /** it ended after we sent it SIGTERM or SIGKILL (a failed test, a restart, a stop), whatever its status */
  'stopped',
  /** a signal we did not send killed it */
  'signal',
  'status_0',
  'status_1',
  'status_2',
  'status_255',
  'status_other',
  /** it could not be executed: there was no child */
  'spawn_failed',
] as const;

export type ExitReason = (typeof EXIT_REASONS)[number];

/** `stoppedByUs`: the supervisor signalled this ssh before it ended. */
export function exitReasonOf(end: SshEnd, stoppedByUs: boolean): ExitReason {
  if (stoppedByUs) return 'stopped';
  if (end.signal !== undefined) return 'signal';
  switch (end.code) {
    case 0: return 'status_0';
    case 1: return 'status_1';
    case 2: return 'status_2';
    case 255: return 'status_255';
    default: return 'status_other';
  }
}
