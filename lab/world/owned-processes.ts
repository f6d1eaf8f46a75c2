// Every process tree a chaos run starts is remembered here, so that even an abrupt exit of the lab
// process (a second Ctrl-C, an uncaught error) SIGKILLs them all; the normal path stops them in order.
import { descendantsOf, readProc, type ProcInfo } from './proc-table.js';
import { killIfSame } from './processes.js';

/** Process trees we started: last-resort SIGKILL of the root and every descendant seen. */
const roots = new Map<number, ProcInfo>();
const seen = new Map<string, ProcInfo>();
let exitHookInstalled = false;

/** Remembers a process tree we started (call right after spawn). */
export function ownTree(pid: number): void {
  const info = readProc(pid);
  if (info) roots.set(pid, info);
  installExitHook();
}

/** Refreshes what is known about our trees (descendants re-parented after their parent dies are
 * found only if they were seen before). Cheap: call it from pollers. */
export function noteDescendants(table?: ProcInfo[]): void {
  for (const root of roots.values()) {
    for (const p of descendantsOf(root.pid, table)) seen.set(`${p.pid}:${p.startTicks}`, p);
  }
}

/** SIGKILLs, synchronously, every process of every tree we started that is still alive. */
export function killOwnedTreesNow(): void {
  noteDescendants();
  for (const p of roots.values()) killIfSame(p);
  for (const p of seen.values()) killIfSame(p);
  roots.clear();
  seen.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killOwnedTreesNow);
}
