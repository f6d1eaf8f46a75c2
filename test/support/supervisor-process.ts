// Running a supervisor (autossh 1.4g or autossh-ts) under test, and the process-level checks
// the e2e tests make about it: which ssh it runs now, whether it exited, whether anything is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { inNetns, killIfSame } from '../../lab/world/processes.js';
import { descendantsOf, isSshClient, listProcesses, type ProcInfo } from '../../lab/world/proc-table.js';
import { waitFor } from '../../lab/world/wait.js';
import { OutputTail } from '../../lab/world/output-tail.js';

/** Keep only the tail of a child's output: enough to explain a failure, bounded in memory. */
const OUTPUT_LIMIT_CHARS = 64 * 1024;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnSupervisorOptions {
  /** Program and fixed leading arguments, e.g. ['/usr/lib/autossh/autossh']. */
  cmd: readonly string[];
  /** autossh command line: -M ..., ssh options, destination. */
  args: readonly string[];
  /** AUTOSSH_* and anything else; added to a minimal clean environment. */
  env?: Record<string, string>;
  /** Run inside this network namespace (`ip netns exec` execs, so the pid stays the same). */
  netns?: string;
  cwd?: string;
}

export interface SupervisorRun {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the launched process exits (for `-f`, that is the parent, not the daemon). */
  readonly exited: Promise<ExitInfo>;
  exitInfo(): ExitInfo | undefined;
  /** Captured stdout+stderr tail. */
  output(): string;
  /** For `waitFor({ abortIf })`: a reason once the supervisor has exited, else undefined. */
  exitReason(): string | undefined;
  /** ssh processes currently below the supervisor (normally exactly one). */
  sshChildren(): ProcInfo[];
  /** Waits for exactly one ssh child, different from `notPid` when given. */
  waitForSshChild(opts: { timeoutMs: number; notPid?: number }): Promise<ProcInfo>;
  /** SIGTERM, then SIGKILL after `graceMs`; then SIGKILLs any ssh it left behind. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C',
    ...extra,
  };
}

export function spawnSupervisor(opts: SpawnSupervisorOptions): SupervisorRun {
  const argv = inNetns(opts.netns, [...opts.cmd, ...opts.args]);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env: cleanEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${argv[0]}`);
  const pid = child.pid;

  const output = new OutputTail(OUTPUT_LIMIT_CHARS).follow(child.stdout, child.stderr);

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', (err) => {
      output.add(Buffer.from(`spawn error: ${err.message}\n`));
      exitInfo = { code: null, signal: null };
      resolve(exitInfo);
    });
  });

  // Every ssh ever seen below the supervisor: stop() kills survivors, whatever the supervisor did.
  const seenSsh = new Map<number, ProcInfo>();
  const sshChildren = (): ProcInfo[] => {
    const found = descendantsOf(pid).filter(isSshClient);
    for (const p of found) seenSsh.set(p.pid, p);
    return found;
  };
  const exitReason = (): string | undefined => {
    if (!exitInfo) return undefined;
    const how = exitInfo.signal ? `signal ${exitInfo.signal}` : `code ${exitInfo.code}`;
    return `supervisor exited with ${how}; output:\n${output.text()}`;
  };

  let stopping: Promise<void> | undefined;
  const run: SupervisorRun = {
    pid,
    child,
    exited,
    exitInfo: () => exitInfo,
    output: () => output.text(),
    exitReason,
    sshChildren,
    async waitForSshChild({ timeoutMs, notPid }) {
      return waitFor(
        () => {
          const found = sshChildren().filter((p) => p.pid !== notPid);
          return found.length === 1 ? found[0] : undefined;
        },
        {
          timeoutMs,
          what: `one ssh child of supervisor ${pid}${notPid ? ` other than ${notPid}` : ''}`,
          abortIf: exitReason,
        },
      );
    },
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        sshChildren();
        if (!exitInfo) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        for (const p of seenSsh.values()) killIfSame(p);
      })();
      return stopping;
    },
  };
  return run;
}

/** Every ssh client process on the machine whose command line contains `marker`. */
export function sshProcessesWith(marker: string): ProcInfo[] {
  return listProcesses().filter((p) => isSshClient(p) && p.argv.some((a) => a.includes(marker)));
}
