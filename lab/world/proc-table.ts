// A snapshot of the process table read from /proc, so tests can find an ssh child or prove that
// none is left without shelling out to ps (whose output format differs between distributions).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Kernel command name (at most 15 characters), e.g. `ssh`, `sshd`, `autossh`. */
  comm: string;
  /** One-letter state from /proc/PID/stat: R, S, D, T (stopped), Z (zombie), ... */
  state: string;
  /** Start time in clock ticks since boot: with pid, identifies a process across pid reuse. */
  startTicks: number;
  argv: string[];
}

/** Reads /proc/PID/stat and cmdline; undefined when the process is gone (or went in between). */
export function readProc(pid: number): ProcInfo | undefined {
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself contain spaces or ')': split at the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < 0) return undefined;
  const comm = stat.slice(open + 1, close);
  // Fields after comm: state(3) ppid(4) ... starttime(22); index 0 here is field 3.
  const rest = stat.slice(close + 2).split(' ');
  const state = rest[0] ?? '?';
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  const argv = cmdline.split('\0');
  if (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
  return { pid, ppid, comm, state, startTicks, argv };
}

export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** All live descendants of `rootPid` (children, grandchildren, ...), zombies excluded. */
export function descendantsOf(rootPid: number, table: ProcInfo[] = listProcesses()): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of table) {
    const siblings = byParent.get(p.ppid);
    if (siblings) siblings.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const out: ProcInfo[] = [];
  const queue = [rootPid];
  // Bounded by the table size: a pid cannot be its own ancestor, but be safe against races.
  for (let i = 0; i < queue.length && i < table.length + 1; i++) {
    for (const child of byParent.get(queue[i]!) ?? []) {
      if (child.state !== 'Z') out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** True while the process exists and is not a zombie (a zombie has already exited). */
export function isAlive(pid: number): boolean {
  const info = readProc(pid);
  return info !== undefined && info.state !== 'Z';
}

/** True while this exact process (pid + start time) is alive: safe against pid reuse. */
export function isSameProcessAlive(p: Pick<ProcInfo, 'pid' | 'startTicks'>): boolean {
  const info = readProc(p.pid);
  return info !== undefined && info.state !== 'Z' && info.startTicks === p.startTicks;
}

export function isSshClient(p: ProcInfo): boolean {
  return p.comm === 'ssh';
}

/**
 * Signals sent to `pid` but not yet delivered (process-wide and thread pending sets, from
 * /proc/PID/status). A SIGSTOPped process keeps a caught signal such as ssh's SIGTERM pending
 * until SIGCONT: this shows that someone decided to kill it while it cannot react yet.
 */
export function pendingSignals(pid: number): Set<number> {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return new Set();
  }
  const out = new Set<number>();
  for (const m of status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)) {
    const mask = BigInt(`0x${m[1]}`);
    for (let signo = 1; signo <= 64; signo++) {
      if ((mask >> BigInt(signo - 1)) & 1n) out.add(signo);
    }
  }
  return out;
}
