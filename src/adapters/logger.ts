// 1.4g's logging: syslog by default, AUTOSSH_LOGFILE instead when set (appended, one
// timestamped line per message), AUTOSSH_DEBUG adds stderr. AUTOSSH_LOGLEVEL filters.
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

const SYSLOG_PRIORITY = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export interface LoggerOptions {
  progName: string;
  logFile: string | null;
  logLevel: number;
  debug: boolean;
}

function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}/${p(date.getMonth() + 1)}/${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

export class Logger {
  private fd: number | null = null;

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

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private syslog(level: number, message: string): void {
    // util-linux's logger speaks to /dev/log for us; it quietly does nothing without syslog
    try {
      const child = spawn(
        'logger',
        ['-t', this.options.progName, `--id=${process.pid}`, '-p', `user.${SYSLOG_PRIORITY[level] ?? 'info'}`, '--', message],
        { stdio: 'ignore' },
      );
      child.on('error', () => {});
      child.unref();
    } catch {
      // no logger binary: nowhere to log to
    }
  }
}
