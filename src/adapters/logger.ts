// 1.4g's logging: syslog by default, AUTOSSH_LOGFILE instead when set (appended, one
// timestamped line per message), AUTOSSH_DEBUG adds stderr. AUTOSSH_LOGLEVEL filters.
// "Syslog" is the journal when stderr is the journal, and stderr when there is no syslog
// (./log-destination.ts).
// autossh-ts adds AUTOSSH_LOGFORMAT=json (one JSON object a line, the decision's rule with the
// line it came with) and, for the daemon, a tunnel name on every line and outputs shared by
// every tunnel's logger (one syslog writer, one descriptor per file, one line held back), so
// that lines go out in the order they were logged. The file follows its path (./log-file.ts).
import { resolve } from 'node:path';
import { LOG_INFO } from '../machine/config/log-levels.js';
import { LogFile } from './log-file.js';
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

/** A json line held until the end of its machine step (see Logger.logJson), and who holds it. */
interface HeldLine {
  owner: Logger;
  record: JsonRecord;
  write: (record: JsonRecord) => void;
}

/**
 * Where lines go, shared by every logger of a process: one descriptor per file, one syslog
 * writer, and at most one line held back. Lines go out in the order they were logged, whichever
 * logger logged them: a held line is written before any other line is.
 */
export class LogOutputs {
  private readonly files = new Map<string, { file: LogFile; users: number }>();
  private syslogWriter: SyslogWriter | null = null;
  private held: HeldLine | null = null;
  private releaseQueued = false;
  private systemLogFound: SystemLog | null = null;
  /** the stderr destination's notice is said once */
  private toldStderr = false;
  private closed = false;

  constructor(private readonly options: { progName: string; syslogSocket?: string | null }) {}

  /** Where syslog's lines go (./log-destination.ts), found at the first look. */
  get systemLog(): SystemLog {
    return (this.systemLogFound ??= findSystemLog({ syslogSocket: this.options.syslogSocket ?? null }));
  }

  /** Open the file (created 0600, appended to, reopened when its path names another: ./log-file.ts), or share it if open already. */
  openFile(path: string): LogFileHandle | { error: string } {
    const key = resolve(path);
    let entry = this.files.get(key);
    if (entry === undefined) {
      const file = LogFile.open(path);
      if ('error' in file) return file;
      entry = { file, users: 0 };
      this.files.set(key, entry);
    }
    entry.users++;
    const opened = entry;
    let released = false;
    return {
      write: (line) => {
        if (!released) opened.file.write(line);
      },
      release: () => {
        if (released) return;
        released = true;
        if (--opened.users > 0 || this.files.get(key) !== opened) return;
        this.files.delete(key);
        opened.file.close();
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

  /**
   * Hold `record` back until the end of the current machine step (a microtask), so that a
   * decision its logger tells next can ride on it. Any line held before is written first.
   */
  hold(owner: Logger, record: JsonRecord, write: (record: JsonRecord) => void): void {
    this.releaseHeld();
    this.held = { owner, record, write };
    if (this.releaseQueued) return;
    // the machine applies one step's effects synchronously: its decision, if any, is told by then
    this.releaseQueued = true;
    queueMicrotask(() => {
      this.releaseQueued = false;
      this.releaseHeld();
    });
  }

  /** `owner`'s line, if it is the one held: taken back unwritten. */
  takeHeld(owner: Logger): JsonRecord | null {
    const held = this.held;
    if (held === null || held.owner !== owner) return null;
    this.held = null;
    return held.record;
  }

  /** Write the held line now: called before every other line is written. */
  releaseHeld(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    held.write(held.record);
  }

  /** Close every file and flush syslog; `done` runs once the last syslog line is handed over. */
  close(done: () => void = () => {}): void {
    this.releaseHeld();
    this.closed = true;
    for (const { file } of this.files.values()) file.close();
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
   * json only: this logger's last line was below its level, in this machine step: so is the
   * decision that comes with it. (A line at the level is held by the outputs instead.)
   */
  private lastFiltered = false;

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
    if (this.lastFiltered) {
      this.lastFiltered = false;
      return; // its line was below the level: so is the decision
    }
    const held = this.outputs.takeHeld(this);
    if (held !== null) return this.writeJson({ ...held, rule, decision: detail });
    // a decision that came with no line (D2's SIGHUP test): a line of its own
    if (LOG_INFO > this.options.logLevel) return;
    this.writeJson({ date: new Date(), level: LOG_INFO, tunnel: this.tunnel, message: detail, rule });
  }

  /** Close the log file and flush syslog; `done` runs once the last syslog line is handed over. */
  close(done: () => void = () => {}): void {
    this.outputs.releaseHeld();
    this.file?.release();
    this.file = null;
    if (this.ownsOutputs) this.outputs.close(done);
    else done();
  }

  private logJson(level: number, message: string): void {
    this.outputs.releaseHeld();
    if (level > this.options.logLevel) {
      if (!this.lastFiltered) queueMicrotask(() => (this.lastFiltered = false)); // the step's end
      this.lastFiltered = true;
      return;
    }
    this.lastFiltered = false;
    this.outputs.hold(this, { date: new Date(), level, tunnel: this.tunnel, message }, (record) => this.writeJson(record));
  }

  private writeJson(record: JsonRecord): void {
    const text = jsonText(record);
    this.write(record.level, `${text}\n`, text);
  }

  private write(level: number, line: string, syslogMessage: string): void {
    // a line held back by any logger goes first: lines keep the order they were logged in
    this.outputs.releaseHeld();
    if (this.file !== null) this.file.write(line);
    // AUTOSSH_DEBUG writes every line to stderr already: where syslog is stderr too, once is enough
    else if (!this.options.debug || this.outputs.systemLog.kind === 'syslog') this.outputs.syslog(level, syslogMessage, line);
    if (this.options.debug) process.stderr.write(line);
  }
}
