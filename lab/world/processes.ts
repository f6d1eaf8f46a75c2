// Killing exactly the processes a chaos run started: by pid and start time, so a pid reused by
// someone else is never hit.
import { isAlive, isSameProcessAlive, type ProcInfo } from './proc-table.js';
import { waitFor } from './wait.js';

export * from './proc-table.js';

/** SIGKILL (or `signal`) this exact process (pid + start time), if it is still alive. */
export function killIfSame(p: ProcInfo, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!isSameProcessAlive(p)) return;
  try {
    process.kill(p.pid, signal);
  } catch {
    // Exited in between: nothing to do.
  }
}

/** Waits until `pid` has exited (zombies count as exited). Returns false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    await waitFor(() => !isAlive(pid), { timeoutMs, intervalMs: 20, what: `pid ${pid} to exit` });
    return true;
  } catch {
    return false;
  }
}

/** Prefix that runs argv inside a network namespace, or argv itself when `netns` is undefined. */
export function inNetns(netns: string | undefined, argv: readonly string[]): string[] {
  return netns === undefined ? [...argv] : ['ip', 'netns', 'exec', netns, ...argv];
}
