// A supervisor under test (autossh-ts, autossh 1.4g, ...), watched from outside: its ssh
// children via /proc (start and end of each, to POLL_INTERVAL_MS), its AUTOSSH_LOGFILE, each
// line stamped when read, and its stderr, where its ssh's own words end up (autossh 1.4g lets ssh
// inherit it; autossh-ts passes every byte of ssh's on), each line stamped when it arrives. The
// log is read again before each stderr chunk is taken, which keeps most of their order in
// `lines`, not all of it: a pipe's data can be delivered after a later write to the log file was
// read (attribution.ts does not rely on it). It runs in its own process group, so stop() can
// kill the whole tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { descendantsOf, listProcesses, readProc, type ProcInfo } from '../world/proc-table.js';
import { killIfSame, waitForExit } from '../world/processes.js';
import { noteDescendants, ownTree } from '../world/owned-processes.js';
import { OutputTail } from '../world/output-tail.js';

export const POLL_INTERVAL_MS = 50;
/** After SIGTERM the supervisor has this long to take its ssh down before SIGKILL. */
const STOP_GRACE_MS = 5_000;
const OUTPUT_LIMIT_CHARS = 16 * 1024;
const MAX_LOG_LINES = 20_000;

export interface SshLife {
  pid: number;
  /** First seen, ms on the run's clock. */
  startMs: number;
  /** Seen gone, or null while it runs. */
  endMs: number | null;
}

export interface TimedLine {
  ms: number;
  text: string;
}

/** A line of the log file or of stderr, in the order the lab saw them. */
export interface OutputLine extends TimedLine {
  source: 'log' | 'stderr';
}

export interface WatchedSupervisorOptions {
  label: string;
  argv: readonly string[];
  env: Record<string, string>;
  logFile: string;
  now: () => number;
}

export class WatchedSupervisor {
  readonly sshLives: SshLife[] = [];
  readonly logLines: TimedLine[] = [];
  readonly stderrLines: TimedLine[] = [];
  /** Log and stderr lines together, in the order seen. */
  readonly lines: OutputLine[] = [];
  private readonly child: ChildProcess;
  private readonly timer: NodeJS.Timeout;
  private readonly live = new Map<string, { info: ProcInfo; life: SshLife }>();
  private readonly output = new OutputTail(OUTPUT_LIMIT_CHARS);
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private logFd: number | undefined;
  private logPartial = '';
  private stderrPartial = '';
  private stopping: Promise<void> | undefined;
  private exitedByItself = false;

  constructor(readonly options: WatchedSupervisorOptions) {
    const [cmd, ...args] = options.argv;
    const child = spawn(cmd!, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    if (child.pid !== undefined) ownTree(child.pid);
    this.output.follow(child.stdout, child.stderr);
    child.stderr?.on('data', (chunk: Buffer) => this.takeStderr(chunk.toString('utf8')));
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.exitedByItself = this.stopping === undefined;
    });
    child.on('error', (error) => {
      this.output.add(Buffer.from(`cannot run ${cmd}: ${error.message}\n`));
      this.exit = { code: null, signal: null };
      this.exitedByItself = this.stopping === undefined;
    });
    this.timer = setInterval(() => this.poll(), POLL_INTERVAL_MS);
  }

  get label(): string {
    return this.options.label;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why it is not running any more, or undefined while it runs. */
  exitReason(): string | undefined {
    if (!this.exit) return undefined;
    const how = this.exit.signal ? `signal ${this.exit.signal}` : `code ${this.exit.code}`;
    return `${this.label} exited with ${how}${this.output.text().trim() ? `; its output:\n${this.output.text().trim()}` : ''}${this.logTail()}`;
  }

  /** Like exitReason(), but only for an exit the lab did not ask for (stop()). */
  exitedOnItsOwn(): string | undefined {
    return this.exitedByItself ? this.exitReason() : undefined;
  }

  /** The ssh currently running, if any. */
  currentSsh(): SshLife | undefined {
    return [...this.live.values()].at(-1)?.life;
  }

  describe(): string {
    return `${this.output.text().trim()}${this.logTail()}`;
  }

  poll(): void {
    const now = this.options.now();
    this.readLog(now);
    const pid = this.child.pid;
    if (pid === undefined) return;
    const table = listProcesses();
    noteDescendants(table);
    const ssh = descendantsOf(pid, table).filter((p) => p.comm === 'ssh');
    const seenNow = new Set<string>();
    for (const info of ssh) {
      const key = `${info.pid}:${info.startTicks}`;
      seenNow.add(key);
      if (!this.live.has(key)) {
        const life: SshLife = { pid: info.pid, startMs: now, endMs: null };
        this.sshLives.push(life);
        this.live.set(key, { info, life });
      }
    }
    for (const [key, { life }] of this.live) {
      if (!seenNow.has(key)) {
        life.endMs = now;
        this.live.delete(key);
      }
    }
  }

  /** SIGTERM, SIGKILL of the process group after a grace time, then any ssh it left. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.poll();
      clearInterval(this.timer);
      const pid = this.child.pid;
      if (pid !== undefined && !this.exit) {
        signalGroup(pid, 'SIGTERM');
        if (!(await waitForExit(pid, STOP_GRACE_MS))) signalGroup(pid, 'SIGKILL');
        await waitForExit(pid, 2_000);
      }
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      for (const { info } of this.live.values()) killIfSame(info);
      const now = this.options.now();
      for (const { life } of this.live.values()) life.endMs ??= now;
      this.live.clear();
      this.readLog(now);
      if (this.logFd !== undefined) closeSync(this.logFd);
      this.logFd = undefined;
    })();
    return this.stopping;
  }

  private takeStderr(text: string): void {
    const now = this.options.now();
    // Whatever the supervisor logged before its ssh wrote this comes first.
    this.readLog(now);
    const lines = (this.stderrPartial + text).split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.replace(/\r$/, '');
      if (line === '' || this.stderrLines.length >= MAX_LOG_LINES) continue;
      this.stderrLines.push({ ms: now, text: line });
      this.lines.push({ ms: now, source: 'stderr', text: line });
    }
  }

  private readLog(now: number): void {
    if (this.logFd === undefined) {
      try {
        this.logFd = openSync(this.options.logFile, 'r');
      } catch {
        return;
      }
    }
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(this.logFd, buffer, 0, buffer.length, null);
      if (n <= 0) break;
      this.logPartial += buffer.subarray(0, n).toString('utf8');
    }
    const lines = this.logPartial.split('\n');
    this.logPartial = lines.pop() ?? '';
    for (const text of lines) {
      if (this.logLines.length >= MAX_LOG_LINES) continue;
      this.logLines.push({ ms: now, text });
      this.lines.push({ ms: now, source: 'log', text });
    }
  }

  private logTail(): string {
    const tail = this.logLines.slice(-8).map((l) => `  ${l.text}`).join('\n');
    return tail ? `\nlast lines of its log:\n${tail}` : '';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone.
  }
  // The leader itself, in case it left its group (a supervisor with -f does).
  const info = readProc(pid);
  if (info && info.state !== 'Z') killIfSame(info, signal);
}
