// -f: 1.4g's daemon(0, 0) (a new session, cwd /, stdio on /dev/null), with one addition: the
// launcher does not exit 0 before it knows the daemon started. 1.4g's daemon dies of a bad pid
// file, a taken monitor port or a missing ssh after the launcher said "fine", and nobody sees
// why. Ours waits up to START_REPORT_MS for one line from the daemon on a socket at the daemon's
// fd 3 ("started", or "failed MESSAGE"), says the failure on stderr and exits 1. The daemon
// closes its end once it has spoken: it never holds the launcher's socket longer, and Node opens
// inherited fds above 2 close-on-exec, so ssh and the syslog helper never get it either.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** marks the detached process that `-f` leaves behind; removed before ssh sees the environment */
export const DAEMON_MARK = 'AUTOSSH_TS_DAEMONIZED';
const DAEMON_MARK_VALUE = 'report-fd-3';
const REPORT_FD = 3;
/** how long the launcher waits for the daemon's word (a start takes ~0.1-0.3 s) */
export const START_REPORT_MS = 5000;
/** a report is one short line; more than this is not ours */
const REPORT_MAX_CHARS = 4096;

export type DaemonStart =
  | { kind: 'started'; pid: number }
  /** it said why it could not start (it exits 1 on its own) */
  | { kind: 'failed'; pid: number; message: string }
  /** it ended without a word (an internal error, a signal, MAXSTART=0) */
  | { kind: 'exited'; pid: number; code: number | null; signal: NodeJS.Signals | null }
  /** no word within START_REPORT_MS: it still runs */
  | { kind: 'silent'; pid: number };

/** Start the daemon (argv as ours, env as given) and wait for its first word. */
export function launchDaemon(args: readonly string[], env: NodeJS.ProcessEnv, waitMs = START_REPORT_MS): Promise<DaemonStart> {
  const daemon = spawn(process.execPath, [process.argv[1]!, ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    cwd: '/',
    env: { ...env, [DAEMON_MARK]: DAEMON_MARK_VALUE },
  });
  return awaitFirstWord(daemon, daemon.stdio[REPORT_FD] as Readable, waitMs);
}

function awaitFirstWord(daemon: ChildProcess, report: Readable, waitMs: number): Promise<DaemonStart> {
  const pid = daemon.pid ?? 0;
  return new Promise((resolve) => {
    let done = false;
    let text = '';
    const finish = (outcome: DaemonStart): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      report.destroy();
      daemon.removeAllListeners('exit');
      daemon.unref();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'silent', pid }), waitMs);
    const exited = (): void => {
      if (daemon.exitCode !== null || daemon.signalCode !== null) {
        finish({ kind: 'exited', pid, code: daemon.exitCode, signal: daemon.signalCode as NodeJS.Signals | null });
      } else {
        daemon.once('exit', (code, signal) => finish({ kind: 'exited', pid, code, signal }));
      }
    };
    report.setEncoding('utf8');
    report.on('data', (chunk: string) => {
      text = (text + chunk).slice(0, REPORT_MAX_CHARS);
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      const line = text.slice(0, newline);
      if (line === 'started') finish({ kind: 'started', pid });
      else if (line.startsWith('failed ')) finish({ kind: 'failed', pid, message: line.slice('failed '.length) });
      else finish({ kind: 'failed', pid, message: `the daemon said something unexpected: ${JSON.stringify(line)}` });
    });
    report.on('error', () => {}); // its end going away is told by 'close'
    // closed without a whole line: the daemon ended (its exit status says how)
    report.on('close', exited);
    daemon.on('error', (error) => finish({ kind: 'failed', pid, message: `cannot start the daemon: ${error.message}` }));
  });
}

/** The daemon's side: one word to the launcher, then its end closed. */
export class StartReport {
  private fd: number | null;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** The report of the -f daemon we are, or null (not a daemon, or fd 3 is not the launcher's). */
  static ofThisDaemon(env: NodeJS.ProcessEnv = process.env): StartReport | null {
    if (env[DAEMON_MARK] !== DAEMON_MARK_VALUE) return null;
    try {
      return fstatSync(REPORT_FD).isSocket() ? new StartReport(REPORT_FD) : null;
    } catch {
      return null;
    }
  }

  static isDaemon(env: NodeJS.ProcessEnv = process.env): boolean {
    return env[DAEMON_MARK] === DAEMON_MARK_VALUE;
  }

  started(): void {
    this.say('started');
  }

  failed(message: string): void {
    this.say(`failed ${message.replace(/\s*\n\s*/g, ' ')}`);
  }

  private say(line: string): void {
    const fd = this.fd;
    if (fd === null) return; // spoken already: only the first word counts
    this.fd = null;
    try {
      writeSync(fd, `${line}\n`);
    } catch {
      // the launcher is gone (killed, or it stopped waiting): nobody to tell
    }
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
  }
}
