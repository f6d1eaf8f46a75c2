// ssh could not be started: for good, or for now. 1.4g forks and execs with no descriptor to
// spare, so only a missing or unusable ssh stops it (D7: an error naming the path, exit 1). We
// need descriptors to start ssh (Node's spawn opens pipes), so a process out of them (EMFILE), a
// system out of them (ENFILE), a process limit or a fork that could not get memory (EAGAIN,
// ENOMEM) fail a start that the same command line makes a moment later: a tunnel must not end
// for good on them. Those are retried after a wait that doubles from 1 s up to POLL; any other
// failure is D7.
const TRANSIENT: Readonly<Record<string, string>> = {
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'out of memory',
};

const FIRST_RETRY_SECONDS = 1;

/** A start that failed with this errno (its name, as Node's `error.code`) may work if tried again. */
export function isTransientSpawnFailure(errno: string | null | undefined): boolean {
  return errno != null && Object.hasOwn(TRANSIENT, errno);
}

/** The wait before retrying after `failures` transient failures in a row (1, 2, ...): 1, 2, 4 ... s, at most POLL. */
export function spawnRetrySeconds(failures: number, pollSeconds: number): number {
  if (failures < 1) return 0;
  return Math.max(0, Math.min(FIRST_RETRY_SECONDS * 2 ** Math.min(failures - 1, 30), pollSeconds));
}

/** "too many open files (EMFILE)": what went wrong, in words, then its name. */
export function describeSpawnFailure(errno: string, fallback: string): string {
  const words = Object.hasOwn(TRANSIENT, errno) ? TRANSIENT[errno] : null;
  return words ? `${words} (${errno})` : fallback;
}
