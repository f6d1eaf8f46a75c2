// autossh-lab's exit status for a command that threw: 2 for a usage error or bad input (an
// unknown subcommand or option, a bad option value, a missing or unreadable file, a file that
// does not parse or check out, a setup the command cannot do, as docs/chaos.md says), 1 for a
// failure while running (a bug, the system refusing something the input did not ask for wrong,
// a simulation that ran away). A command's own findings (a fault not recovered from, a replay
// whose configuration fails) set process.exitCode themselves.

import { fdExhaustionMessage, isFdExhaustion } from './fd-limit.js';

export const EXIT_RUNTIME_FAILURE = 1;
export const EXIT_USAGE = 2;

/** errno codes that mean "the path named on the command line is no good" */
const INPUT_PATH_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'ELOOP']);

/**
 * The status for `error`. An error may say it is a runtime failure with `exitStatus: 1` (so code
 * outside lab/ need not import this); a system error is bad input only when it is about a path.
 */
export function exitStatusOf(error: unknown): 1 | 2 {
  if (!(error instanceof Error)) return EXIT_RUNTIME_FAILURE;
  if ((error as { exitStatus?: unknown }).exitStatus === EXIT_RUNTIME_FAILURE) return EXIT_RUNTIME_FAILURE;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return INPUT_PATH_CODES.has(code) ? EXIT_USAGE : EXIT_RUNTIME_FAILURE;
  // faults in our own code, whatever the input
  if (error instanceof TypeError || error instanceof ReferenceError) return EXIT_RUNTIME_FAILURE;
  return EXIT_USAGE;
}

/** What stderr says: the message; for a fault in our own code, that it is one. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (isFdExhaustion(error)) return `${fdExhaustionMessage(error, 'while running')} (${error.message})`;
  if (error instanceof TypeError || error instanceof ReferenceError) return `internal error: ${error.message}`;
  return error.message;
}
