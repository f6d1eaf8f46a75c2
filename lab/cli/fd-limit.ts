// Running out of file descriptors (a low `ulimit -n`) is the environment's problem, not the
// input's or ours: say so in one line with what to do, never as a stack trace. Imports nothing
// but node:fs, so lab.ts can use it before the rest of the lab has loaded.
import { readFileSync } from 'node:fs';

/** errno codes of a process (EMFILE) or the whole system (ENFILE) out of file descriptors */
const FD_EXHAUSTION = new Set(['EMFILE', 'ENFILE']);

export function isFdExhaustion(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && FD_EXHAUSTION.has(code);
}

/**
 * "too many open files (EMFILE) while loading its modules: raise ulimit -n (it is 64 here)".
 * `limit`: the soft limit if read beforehand (with every descriptor taken it cannot be read now).
 */
export function fdExhaustionMessage(error: unknown, doing: string, limit: string | null = softFdLimit()): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENFILE') return `the system has too many open files (ENFILE) ${doing}: close some programs, or raise fs.file-max`;
  return `too many open files (EMFILE) ${doing}: raise ulimit -n${limit === null ? '' : ` (it is ${limit} here)`}`;
}

/** this process's soft limit on open files, from /proc; null when it cannot be read (no descriptor left to read it with) */
export function softFdLimit(): string | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return line?.split(/\s+/)[3] ?? null;
  } catch {
    return null;
  }
}
