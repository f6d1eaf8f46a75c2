// autossh-ts's run: open the log, daemonize for -f, then the supervisor and the real host.
// Imported by ./autossh.js only when the command line asks for a tunnel (this is what loads xstate).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Logger } from '../adapters/logger.js';
import { RealHost } from '../adapters/real-host.js';
import { Supervisor } from '../driver/supervisor.js';
import { LOG_INFO } from '../machine/config/log-levels.js';
import type { Config, Notice } from '../machine/config/types.js';
import type { Live } from './autossh.js';

/** marks the detached process that `-f` leaves behind; removed before ssh sees the environment */
const DAEMON_MARK = 'AUTOSSH_TS_DAEMONIZED';

export function run(prog: string, config: Config, notices: Notice[], args: string[], live: Live): void {
  const logger = new Logger({
    progName: prog, logFile: config.logFile, logLevel: config.logLevel, debug: config.debug, format: config.logFormat,
  });
  const logError = logger.open();
  if (logError) {
    process.stderr.write(`${prog}: ${logError}\n`);
    process.exit(1);
  }

  if (config.runAsDaemon && process.env[DAEMON_MARK] !== '1') {
    // 1.4g's daemon(0, 0): a new session, cwd /, stdio on /dev/null; the launcher exits 0.
    const env: NodeJS.ProcessEnv = { ...process.env, [DAEMON_MARK]: '1' };
    if (config.logFile) env.AUTOSSH_LOGFILE = resolve(config.logFile);
    const daemon = spawn(process.execPath, [process.argv[1]!, ...args], {
      detached: true, stdio: 'ignore', cwd: '/', env,
    });
    daemon.unref();
    logger.close(() => process.exit(0));
    return;
  }
  delete process.env[DAEMON_MARK];

  logger.log(LOG_INFO, `${prog} starting (pid ${process.pid})`);
  const supervisor = new Supervisor(config);
  live.supervisor = supervisor;
  const host = new RealHost(config, logger, prog, supervisor.tell, (code) => {
    logger.close(() => process.exit(code));
  });
  live.host = host;
  supervisor.start(host, notices);
}
