// One long-lived util-linux `logger` fed on stdin, one `<PRI>message` line per log line
// (`--prio-prefix`): lines reach syslog in order, and a restart loop costs a pipe write per line,
// not a fork. Started at the first syslog line. Never blocks the supervisor: the pipe's pending
// bytes are bounded; past the bound a line is dropped and counted, and the count is logged when
// the pipe drains. close() ends logger's stdin and waits (bounded) for it to send the last lines.
import { spawn, type ChildProcess } from 'node:child_process';

/** syslog's LOG_USER facility, as in 1.4g's openlog(..., LOG_USER) */
const FACILITY_USER = 1;
/** bytes waiting in the pipe past which lines are dropped (a stuck syslog must not grow us) */
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024;
/** how long close() waits for logger to send what it was given */
export const DEFAULT_CLOSE_WAIT_MS = 1000;
/** a logger that died is started again on a later line, at most this often */
const RESTART_SPACING_MS = 10_000;

export interface SyslogWriterOptions {
  /** the tag (`-t`): our program name */
  tag: string;
  /** the pid logged with each line (`--id`) */
  pid: number;
  /** Tests only: the unix socket logger writes to instead of /dev/log (`--socket`). */
  socketPath?: string | null;
  maxPendingBytes?: number;
  closeWaitMs?: number;
  /** the logger program (tests only) */
  command?: string;
}

export class SyslogWriter {
  private child: ChildProcess | null = null;
  /** no logger binary: nowhere to log to, and no point trying again */
  private unavailable = false;
  private lastStartMs = -Infinity;
  private droppedLines = 0;
  private closed = false;
  /** an empty write is queued whose completion reports the dropped lines */
  private reportPending = false;

  constructor(private readonly options: SyslogWriterOptions) {}

  /** Lines dropped since the last report (a full pipe, or logger down). */
  get dropped(): number {
    return this.droppedLines;
  }

  write(level: number, message: string): void {
    if (this.closed || this.unavailable) return;
    const child = this.child ?? this.start();
    const stdin = child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) {
      this.droppedLines++;
      return;
    }
    if (stdin.writableLength >= (this.options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES)) {
      this.droppedLines++;
      if (!this.reportPending) {
        // an empty write completes once everything before it is in the pipe: the queue drained
        this.reportPending = true;
        stdin.write('', () => {
          this.reportPending = false;
          this.reportDropped(child!);
        });
      }
      return;
    }
    // one message per line: a newline inside a message would make logger split it in two
    stdin.write(`${this.prefix(level)}${message.replace(/\r?\n/g, ' ')}\n`);
  }

  /** End logger's input and call `done` once logger has exited (or after the bounded wait). */
  close(done: () => void = () => {}): void {
    this.closed = true;
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      done();
      return;
    }
    child.ref();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done();
    };
    // lines dropped since the last report are said last, past the bound: it is one line
    if (this.droppedLines > 0 && child.stdin?.writable) {
      const count = this.droppedLines;
      this.droppedLines = 0;
      child.stdin.write(this.droppedReport(count));
    }
    const timer = setTimeout(finish, this.options.closeWaitMs ?? DEFAULT_CLOSE_WAIT_MS);
    child.once('exit', finish);
    child.once('error', finish);
    child.stdin?.end();
  }

  private prefix(level: number): string {
    return `<${FACILITY_USER * 8 + Math.min(Math.max(level, 0), 7)}>`;
  }

  private start(): ChildProcess | null {
    const now = Date.now();
    if (now - this.lastStartMs < RESTART_SPACING_MS) return null;
    this.lastStartMs = now;
    const { tag, pid, socketPath } = this.options;
    let child: ChildProcess;
    try {
      child = spawn(
        this.options.command ?? 'logger',
        ['--prio-prefix', '-t', tag, `--id=${pid}`, ...(socketPath ? ['--socket', socketPath] : [])],
        // its own process group: a Ctrl-C meant for us must not kill it before our last lines
        { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
      );
    } catch {
      this.unavailable = true;
      return null;
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') this.unavailable = true;
      if (this.child === child) this.child = null;
    });
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    const stdin = child.stdin!;
    stdin.on('error', () => {
      // EPIPE: logger went away; the next line starts another (at most every RESTART_SPACING_MS)
      if (this.child === child) this.child = null;
    });
    // neither logger nor its pipe keeps us alive; close() takes a reference while it waits
    child.unref();
    (stdin as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    this.reportPending = false;
    if (this.droppedLines > 0) this.reportDropped(child);
    return child;
  }

  private reportDropped(child: ChildProcess): void {
    if (this.droppedLines === 0 || this.closed || !child.stdin?.writable) return;
    const count = this.droppedLines;
    this.droppedLines = 0;
    child.stdin.write(this.droppedReport(count));
  }

  private droppedReport(count: number): string {
    // LOG_WARNING: lines are missing from the log
    return `${this.prefix(4)}${count} log line${count === 1 ? '' : 's'} dropped: syslog did not keep up\n`;
  }
}
