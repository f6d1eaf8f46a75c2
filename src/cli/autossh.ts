#!/usr/bin/env node
// autossh-ts: the drop-in for autossh 1.4g. Same command line, same AUTOSSH_* variables.
// This entry loads only what reading the command line needs (-V, usage and configuration errors
// end here); the supervisor (xstate, the driver, the adapters) is imported by ./run.js only when
// there is a tunnel to run, so `autossh-ts -V` starts about as fast as node itself.
import nodeModule from 'node:module';
import { Logger } from '../adapters/logger.js';
import { findSystemLog } from '../adapters/log-destination.js';
import { LOG_ERR } from '../machine/config/log-levels.js';
import { parseCommandLine } from '../machine/config/parse.js';
import { signalEvent } from '../machine/events.js';
import { SUPERVISOR_SIGNALS, type SupervisorSignal } from '../machine/signals.js';
import { usageText, versionText } from './help.js';
import type { RealHost } from '../adapters/real-host.js';
import type { ParseOutcome } from '../machine/config/types.js';
import type { Supervisor } from '../driver/supervisor.js';

const PROG = 'autossh-ts';

// V8's compile cache (Node >= 22.1) for what is loaded from here on: the supervisor's code is
// compiled once per machine, not at every start. Node 20 has no such call and runs without it.
try {
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
} catch {
  // a cache directory we cannot write: start without it
}

/** The daemon, as the process's signal and error handlers reach it (../daemon/cli.ts). */
export interface LiveDaemon {
  /** a signal to the process: the daemon answers for all its tunnels */
  signal(signal: SupervisorSignal): void;
  /** last resort (an internal error): no ssh outlives us */
  killEverySsh(): void;
}

/** What runs once ./run.js or the daemon has made it; the signal and error handlers read them. */
export interface Live {
  /** the drop-in's */
  supervisor: Pick<Supervisor, 'done' | 'tell'> | null;
  host: Pick<RealHost, 'signalSsh' | 'removePidFile'> | null;
  /** `--config`'s */
  daemon: LiveDaemon | null;
}

const live: Live = { supervisor: null, host: null, daemon: null };

// Installed first: Node's default SIGUSR1 starts the inspector. Once the daemon or the supervisor
// exists it decides (the machine: a signal to exit during start-up ends the run with status 1);
// before that (parsing, loading the supervisor, daemonizing) a signal to exit ends us at once.
for (const signal of SUPERVISOR_SIGNALS) {
  process.on(signal, () => {
    const { supervisor, daemon } = live;
    // the daemon ignores signals once it is done, as the supervisor below
    if (daemon) daemon.signal(signal);
    else if (supervisor) {
      // once it is done, the exit is under way (the last syslog lines being flushed)
      if (!supervisor.done) supervisor.tell({ type: signalEvent(signal) });
    } else if (signal !== 'SIGHUP' && signal !== 'SIGUSR1' && signal !== 'SIGUSR2') process.exit(1);
  });
}

function main(): void {
  const args = process.argv.slice(2);
  // D14: a first look at the help is not an error (1.4g's getopt calls --help an invalid option)
  if (args[0] === '--help') {
    process.stdout.write(usageText(PROG));
    process.exit(0);
  }
  // the daemon (issue 11): 1.4g never accepts --config, so no drop-in command line changes meaning
  if (isLongOption(args[0], '--config')) {
    void import('../daemon/cli.js').then(({ runDaemon }) => runDaemon(PROG, args, live)).catch(fail);
    return;
  }
  // the daemon's load and nothing more, as `sshd -t`: for ExecStartPre= and ExecReload=
  if (isLongOption(args[0], '--check-config')) {
    void import('../daemon/check-config.js').then(({ checkConfig }) => checkConfig(PROG, args)).catch(fail);
    return;
  }
  // our pid spreads AUTOSSH_JITTER's draws between supervisors started together (D12)
  const outcome = parseCommandLine(args, process.env, process.pid);
  if (outcome.kind !== 'needsMonitorPort') return act(args, outcome);
  // D13: Debian's /usr/bin/autossh picks a free pair and exports AUTOSSH_PORT before it execs
  // autossh; we do the same, so ssh and a -f daemon see the port just as they would there.
  import('../adapters/monitor-port.js').then(({ pickMonitorPortPair }) => pickMonitorPortPair()).then((port) => {
    process.env.AUTOSSH_PORT = String(port);
    act(args, parseCommandLine(args, process.env, process.pid));
  }, (error: unknown) => {
    process.stderr.write(`${PROG}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

/** `--name` or `--name=value` */
function isLongOption(arg: string | undefined, name: string): boolean {
  return arg === name || (arg?.startsWith(`${name}=`) ?? false);
}

function act(args: string[], outcome: ParseOutcome): void {
  switch (outcome.kind) {
    case 'version':
      process.stdout.write(`${versionText(PROG)}\n`);
      process.exit(0);
    case 'usage':
      if (outcome.complaint) process.stderr.write(`${PROG}: ${outcome.complaint}\n`);
      process.stderr.write(usageText(PROG));
      process.exit(1);
    case 'needsMonitorPort':
      // AUTOSSH_PORT is set by now: the parser never asks twice
      throw new Error('the command line still lacks a monitor port after D13 picked one');
    case 'error': {
      // D8: 1.4g said this only to syslog; say it where it will be seen, and in the log
      process.stderr.write(`${PROG}: ${outcome.message}\n`);
      const logFile = process.env.AUTOSSH_LOGFILE ?? null;
      // where the log is stderr as well (the journal, or no syslog), the line above is the log's
      if (logFile === null && findSystemLog().kind !== 'syslog') process.exit(1);
      const logger = new Logger({ progName: PROG, logFile, logLevel: LOG_ERR, debug: false });
      if (logger.open() === null) logger.log(LOG_ERR, outcome.message);
      logger.close(() => process.exit(1));
      return;
    }
    case 'run':
      void import('./run.js').then(({ run }) => run(PROG, outcome.config, outcome.notices, args, live)).catch(fail);
      return;
  }
}

function fail(error: unknown): void {
  // never leave ssh or the pid file behind, whatever went wrong
  process.stderr.write(`${PROG}: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  try {
    live.host?.signalSsh('SIGKILL');
    live.host?.removePidFile();
    live.daemon?.killEverySsh();
  } finally {
    process.exit(1);
  }
}

// A reader of our stderr that went away (`autossh-ts ... 2>&1 | head -1` with AUTOSSH_DEBUG)
// must not end the supervision: the lines are lost, the tunnel is not. Nothing is written from
// here, so a failing stderr cannot call this again and again.
process.stderr.on('error', () => {});
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
main();
