// autossh-ts's run: open the log, daemonize for -f, then the supervisor and the real host.
// Imported by ./autossh.js only when the command line asks for a tunnel (this is what loads xstate).
import { resolve } from 'node:path';
import { Logger } from '../adapters/logger.js';
import { DEV_LOG, findSystemLog } from '../adapters/log-destination.js';
import { Supervisor, type SupervisorOptions } from '../driver/supervisor.js';
import { monotonicMs } from '../adapters/clock.js';
import { LOG_INFO } from '../machine/config/log-levels.js';
import type { Config, Notice } from '../machine/config/types.js';
import type { Live } from './autossh.js';
import { systemdReadiness } from './readiness.js';
import { CliHost } from './cli-host.js';
import { DAEMON_MARK, START_REPORT_MS, StartReport, launchDaemon, type DaemonStart } from './detach.js';

/**
 * `driver`: only test/support/breach-entry.ts gives one (an invariant bound lowered to break it
 * on purpose); the drop-in's own entry never does.
 */
export async function run(
  prog: string, config: Config, notices: Notice[], args: string[], live: Live,
  driver: Pick<SupervisorOptions, 'invariantConfig'> = {},
): Promise<void> {
  const logger = new Logger({
    progName: prog, logFile: config.logFile, logLevel: config.logLevel, debug: config.debug, format: config.logFormat,
  });
  const logError = logger.open();
  // null unless we are the daemon a -f launcher waits for
  const report = StartReport.ofThisDaemon();
  if (logError) {
    process.stderr.write(`${prog}: ${logError}\n`);
    report?.failed(logError);
    process.exit(1);
  }

  if (config.runAsDaemon && !StartReport.isDaemon()) {
    // the daemon's stderr is /dev/null: without a log file and a syslog its every line would be lost
    if (config.logFile === null && findSystemLog({ env: {} }).kind === 'stderr') {
      process.stderr.write(`${prog}: no ${DEV_LOG}: the -f daemon's log lines will be lost; set AUTOSSH_LOGFILE to keep them\n`);
    }
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (config.logFile) env.AUTOSSH_LOGFILE = resolve(config.logFile);
    void launchDaemon(args, env).then((start) => {
      const code = launcherExitCode(prog, start);
      logger.close(() => process.exit(code));
    });
    return;
  }
  delete process.env[DAEMON_MARK];

  logger.log(LOG_INFO, `${prog} starting (pid ${process.pid})`);
  // sd_notify under systemd (NOTIFY_SOCKET); null, and nothing loaded, without it
  // with AUTOSSH_DEBUG the log writes to stderr already
  const warn = (message: string): void => void (config.debug || process.stderr.write(`${prog}: ${message}\n`));
  const readiness = await systemdReadiness(process.env, logger, { snapshot: () => supervisor.machineSnapshot(), sshPid: () => host.sshPid, nowMs: monotonicMs }, warn);
  // a broken invariant is logged (the log, syslog or AUTOSSH_LOGFILE: under -f stderr is
  // /dev/null), ssh is stopped, the pid file removed, and the run exits 1
  const supervisor = new Supervisor(config, {
    observe: readiness ? (effect) => readiness.observe(effect) : undefined,
    onBreach: 'end',
    invariantConfig: driver.invariantConfig,
  });
  live.supervisor = supervisor;
  const host = new CliHost(config, logger, prog, supervisor.tell, (code) => {
    readiness?.stopping(code);
    logger.close(() => process.exit(code));
  }, report);
  live.host = host;
  supervisor.start(host, notices);
}

/** 1.4g's launcher exits 0 at once; ours says what the daemon could not do, and exits 1 for it. */
function launcherExitCode(prog: string, start: DaemonStart): number {
  switch (start.kind) {
    case 'started':
      return 0;
    case 'failed':
      process.stderr.write(`${prog}: ${start.message}\n`);
      return 1;
    case 'exited':
      // MAXSTART=0 ends a run before any ssh, with 0, as 1.4g's daemon would
      if (start.code === 0) return 0;
      process.stderr.write(`${prog}: the daemon (pid ${start.pid}) ended before it started ssh (${start.signal ?? `exit status ${start.code}`}); see the log\n`);
      return 1;
    case 'silent':
      // slow, not failed: it keeps running, as 1.4g's would
      process.stderr.write(`${prog}: the daemon (pid ${start.pid}) has not said it started within ${START_REPORT_MS / 1000} s; leaving it running\n`);
      return 0;
  }
}
