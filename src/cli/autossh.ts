#!/usr/bin/env node
// autossh-ts: the drop-in for autossh 1.4g. Same command line, same AUTOSSH_* variables.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Logger } from '../adapters/logger.js';
import { RealHost } from '../adapters/real-host.js';
import { Supervisor } from '../driver/supervisor.js';
import { LOG_ERR, LOG_INFO } from '../machine/config/log-levels.js';
import { parseCommandLine } from '../machine/config/parse.js';
import type { Config, Notice } from '../machine/config/types.js';
import { signalEvent } from '../machine/events.js';
import { SUPERVISOR_SIGNALS } from '../machine/signals.js';
import { usageText, versionText } from './help.js';

const PROG = 'autossh-ts';
/** marks the detached process that `-f` leaves behind; removed before ssh sees the environment */
const DAEMON_MARK = 'AUTOSSH_TS_DAEMONIZED';

let supervisor: Supervisor | null = null;
let host: RealHost | null = null;

// Installed first: Node's default SIGUSR1 starts the inspector. Once the supervisor exists the
// machine decides (a signal to exit during start-up ends the run with status 1); before that
// (parsing, daemonizing) a signal to exit ends us at once.
for (const signal of SUPERVISOR_SIGNALS) {
  process.on(signal, () => {
    if (supervisor && !supervisor.done) supervisor.tell({ type: signalEvent(signal) });
    else if (signal !== 'SIGHUP' && signal !== 'SIGUSR1' && signal !== 'SIGUSR2') process.exit(1);
  });
}

function main(): void {
  const args = process.argv.slice(2);
  // our pid spreads AUTOSSH_JITTER's draws between supervisors started together (D12)
  const outcome = parseCommandLine(args, process.env, process.pid);
  switch (outcome.kind) {
    case 'version':
      process.stdout.write(`${versionText(PROG)}\n`);
      process.exit(0);
    case 'usage':
      if (outcome.complaint) process.stderr.write(`${PROG}: ${outcome.complaint}\n`);
      process.stderr.write(usageText(PROG));
      process.exit(1);
    case 'error': {
      // D8: 1.4g said this only to syslog; say it where it will be seen, and in the log
      process.stderr.write(`${PROG}: ${outcome.message}\n`);
      const logger = new Logger({ progName: PROG, logFile: process.env.AUTOSSH_LOGFILE ?? null, logLevel: LOG_ERR, debug: false });
      if (logger.open() === null) logger.log(LOG_ERR, outcome.message);
      logger.close();
      process.exit(1);
    }
    case 'run':
      return run(outcome.config, outcome.notices, args);
  }
}

function run(config: Config, notices: Notice[], args: string[]): void {
  const logger = new Logger({ progName: PROG, logFile: config.logFile, logLevel: config.logLevel, debug: config.debug });
  const logError = logger.open();
  if (logError) {
    process.stderr.write(`${PROG}: ${logError}\n`);
    process.exit(1);
  }

  if (config.runAsDaemon && process.env[DAEMON_MARK] !== '1') {
    // 1.4g's daemon(0, 0): a new session, cwd /, stdio on /dev/null; the launcher exits 0.
    const env: NodeJS.ProcessEnv = { ...process.env, [DAEMON_MARK]: "1" };
    if (config.logFile) env.AUTOSSH_LOGFILE = resolve(config.logFile);
    const daemon = spawn(process.execPath, [process.argv[1]!, ...args], {
      detached: true, stdio: 'ignore', cwd: '/', env,
    });
    daemon.unref();
    logger.close();
    process.exit(0);
  }
  delete process.env[DAEMON_MARK];

  logger.log(LOG_INFO, `${PROG} starting (pid ${process.pid})`);
  supervisor = new Supervisor(config);
  host = new RealHost(config, logger, PROG, supervisor.tell, (code) => {
    logger.close();
    process.exit(code);
  });
  supervisor.start(host, notices);
}

function fail(error: unknown): void {
  // never leave ssh or the pid file behind, whatever went wrong
  process.stderr.write(`${PROG}: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  try {
    host?.signalSsh('SIGKILL');
    host?.removePidFile();
  } finally {
    process.exit(1);
  }
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
main();
