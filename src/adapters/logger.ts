// 1.4g's logging: syslog by default, AUTOSSH_LOGFILE instead when set (appended, one
// timestamped line per message), AUTOSSH_DEBUG adds stderr. AUTOSSH_LOGLEVEL filters.
// "Syslog" is the journal when stderr is the journal, and stderr when there is no syslog
// (./log-destination.ts).
// autossh-ts adds AUTOSSH_LOGFORMAT=json (one JSON object a line, the decision's rule with the
// line it came with) and, for the daemon, a tunnel name on every line and outputs shared by
// every tunnel's logger (one syslog writer, one descriptor per file).
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOG_INFO } from '../machine/config/log-levels.js';
import { jsonText, labelled, textLine, type JsonRecord, type LogFormat } from './log-line.js';
import { SyslogWriter } from './syslog-writer.js';
import { findSystemLog, journalLine, type SystemLog } from './log-destination.js';

export interface LoggerOptions {
  progName: string;
  logFile: string | null;
  logLevel: number;
  debug: boolean;
  /** Tests only: the unix socket syslog lines go to instead of /dev/log. */
  syslogSocket?: string | null;
  /** 1.4g's text lines (the default) or one JSON object a line */
  format?: LogFormat;
  /** daemon mode: the tunnel every line names */
  tunnel?: string | null;
  /** daemon mode: the outputs every tunnel shares; a logger given none has its own */
  outputs?: LogOutputs;
}

/** A log file opened through LogOutputs: shared by every logger of that path. */
export interface LogFileHandle {
  write(line: string): void;
  release(): void;
}

/** Where lines go, shared by every logger of a process: one descriptor per file, one syslog writer. */
export class LogOutputs {
  private readonly files = new Map<string, { fd: number; users: number }>();
  private syslogWriter: SyslogWriter | null = null;
  private systemLogFound: SystemLog | null = null;
  /** the stderr destination's notice is said once */
  private toldStderr = false;
  private closed = false;

  constructor(private readonly options: { progName: string; syslogSocket?: string | null }) {}

  /** Where syslog's lines go (./log-destination.ts), found at the first look. */
  get systemLog(): SystemLog {
    return (this.systemLogFound ??= findSystemLog({ syslogSocket: this.options.syslogSocket ?? null }));
  }

  /** Open the file (created 0600, appended to), or share it if open already. */
  openFile(path: string): LogFileHandle | { error: string } {
    const key = resolve(path);
    let file = this.files.get(key);
    if (file === undefined) {
      try {
        file = { fd: openSync(path, 'a', 0o600), users: 0 };
      } catch (error) {
        return { error: `${path}: ${(error as NodeJS.ErrnoException).message}` };
      }
      this.files.set(key, file);
    }
    file.users++;
    const opened = file;
    let released = false;
    return {
      write: (line) => {
        if (released) return;
        try {
          writeSync(opened.fd, line);
        } catch {
          // a full disk must not stop the supervision
        }
      },
      release: () => {
        if (released) return;
        released = true;
        if (--opened.users > 0 || this.files.get(key) !== opened) return;
        this.files.delete(key);
        closeSync(opened.fd);
      },
    };
  }

  /** A line for syslog: `message` as syslog takes it, `line` as a log file has it. */
  syslog(level: number, message: string, line: string): void {
    if (this.closed) return;
    const destination = this.systemLog;
    if (destination.kind === 'journal') {
      process.stderr.write(journalLine(level, message));
      return;
    }
    if (destination.kind === 'stderr') {
      if (!this.toldStderr) process.stderr.write(`${this.options.progName}: ${destination.why}\n`);
      this.toldStderr = true;
      process.stderr.write(line);
      return;
    }
    // one util-linux logger for the whole run, started at the first line (./syslog-writer.ts)
    this.syslogWriter ??= new SyslogWriter({ tag: this.options.progName, pid: process.pid, socketPath: destination.socketPath });
    this.syslogWriter.write(level, message);
  }

  /** Close every file and flush syslog; `done` runs once the last syslog line is handed over. */
  close(done: () => void = () => {}): void {
    this.closed = true;
    for (const file of this.files.values()) closeSync(file.fd);
    this.files.clear();
    const writer = this.syslogWriter;
    this.syslogWriter = null;
    if (writer) writer.close(done);
    else done();
  }
}

export class Logger {
  private file: LogFileHandle | null = null;
  private readonly outputs: LogOutputs;
  private readonly ownsOutputs: boolean;
  private readonly tunnel: string | null;
  /** may change while running: a daemon's reload applies a new [log] format to every tunnel */
  format: LogFormat;
  /**
   * json only: the last line, held until the end of the machine's step, so that the decision
   * the machine emits right after it rides on it; 'filtered' when that line was below the level
   */
  private pending: JsonRecord | 'filtered' | null = null;
  private flushQueued = false;

  constructor(private readonly options: LoggerOptions) {
    this.ownsOutputs = options.outputs === undefined;
    this.outputs = options.outputs ?? new LogOutputs({ progName: options.progName, syslogSocket: options.syslogSocket ?? null });
    this.tunnel = options.tunnel ?? null;
    this.format = options.format ?? 'text';
  }

  /** Open the log file (created 0600). Returns an error message or null. */
  open(): string | null {
    if (this.options.logFile === null) return null;
    const opened = this.outputs.openFile(this.options.logFile);
    if ('error' in opened) return opened.error;
    this.file = opened;
    return null;
  }

  /** The message as a line of ours names it: with its tunnel first in daemon mode. */
  label(message: string): string {
    return labelled(this.tunnel, message);
  }

  log(level: number, message: string): void {
    if (this.format === 'json') return this.logJson(level, message);
    if (level > this.options.logLevel) return;
    const text = labelled(this.tunnel, message);
    this.write(level, textLine(new Date(), this.options.progName, process.pid, text), text);
  }

  /** A decision and its rule: json puts it on the line it came with; 1.4g's text has no place for it. */
  decision(rule: string, detail: string): void {
    if (this.format !== 'json') return;
    const pending = this.pending;
    this.pending = null;
    if (pending === 'filtered') return; // its line was below the level: so is the decision
    if (pending !== null) return this.writeJson({ ...pending, rule, decision: detail });
    // a decision that came with no line (D2's SIGHUP test): a line of its own
    if (LOG_INFO > this.options.logLevel) return;
    this.writeJson({ date: new Date(), level: LOG_INFO, tunnel: this.tunnel, message: detail, rule });
  }

  /** Close the log file and flush syslog; `done` runs once the last syslog line is handed over. */
  close(done: () => void = () => {}): void {
    this.flush();
    this.file?.release();
    this.file = null;
    if (this.ownsOutputs) this.outputs.close(done);
    else done();
  }

  private logJson(level: number, message: string): void {
    this.flush();
    this.pending = level > this.options.logLevel ? 'filtered' : { date: new Date(), level, tunnel: this.tunnel, message };
    if (this.flushQueued) return;
    // the machine applies one step's effects synchronously: its decision, if any, is told by then
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = null;
    if (pending !== null && pending !== 'filtered') this.writeJson(pending);
  }

  private writeJson(record: JsonRecord): void {
    const text = jsonText(record);
    this.write(record.level, `${text}\n`, text);
  }

  private write(level: number, line: string, syslogMessage: string): void {
    if (this.file !== null) this.file.write(line);
    // AUTOSSH_DEBUG writes every line to stderr already: where syslog is stderr too, once is enough
    else if (!this.options.debug || this.outputs.systemLog.kind === 'syslog') this.outputs.syslog(level, syslogMessage, line);
    if (this.options.debug) process.stderr.write(line);
  }
}
