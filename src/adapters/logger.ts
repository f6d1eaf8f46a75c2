// 1.4g's logging: syslog by default, AUTOSSH_LOGFILE instead when set (appended, one
// timestamped line per message), AUTOSSH_DEBUG adds stderr. AUTOSSH_LOGLEVEL filters.
import { closeSync, openSync, writeSync } from 'node:fs';
import { SyslogWriter } from './syslog-writer.js';

export interface LoggerOptions {
  progName: string;
  logFile: string | null;
  logLevel: number;
  debug: boolean;
  /** Tests only: the unix socket syslog lines go to instead of /dev/log. */
  syslogSocket?: string | null;
}

function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}/${p(date.getMonth() + 1)}/${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

export class Logger {
  private fd: number | null = null;
  private syslogWriter: SyslogWriter | null = null;

  constructor(private readonly options: LoggerOptions) {}

  /** Open the log file (created 0600). Returns an error message or null. */
  open(): string | null {
    if (this.options.logFile === null) return null;
    try {
      this.fd = openSync(this.options.logFile, 'a', 0o600);
      return null;
    } catch (error) {
      return `${this.options.logFile}: ${(error as NodeJS.ErrnoException).message}`;
    }
  }

  log(level: number, message: string): void {
    if (level > this.options.logLevel) return;
    const line = `${timestamp(new Date())} ${this.options.progName}[${process.pid}]: ${message}\n`;
    if (this.fd !== null) {
      try {
        writeSync(this.fd, line);
      } catch {
        // a full disk must not stop the supervision
      }
    } else {
      this.syslog(level, message);
    }
    if (this.options.debug) process.stderr.write(line);
  }

  /** Close the log file and flush syslog; `done` runs once the last syslog line is handed over. */
  close(done: () => void = () => {}): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const writer = this.syslogWriter;
    this.syslogWriter = null;
    if (writer) writer.close(done);
    else done();
  }

  private syslog(level: number, message: string): void {
    // one util-linux logger for the whole run, started at the first line (./syslog-writer.ts)
    this.syslogWriter ??= new SyslogWriter({ tag: this.options.progName, pid: process.pid, socketPath: this.options.syslogSocket ?? null });
    this.syslogWriter.write(level, message);
  }
}
