// `autossh-ts --config FILE`: the daemon's start. Imported by src/cli/autossh.ts only for
// --config, so the drop-in's start stays lean. 1.4g never accepts --config (its getopt refuses
// "--"), so no drop-in command line changes meaning.
//
// A file that cannot be read or is broken ends the start here, before anything runs: exit 1
// (as the drop-in's bad settings do, D8) with `autossh-ts: FILE:LINE: problem` on stderr.
import { EnvError } from '../machine/config/env.js';
import type { Live } from '../cli/autossh.js';
import { ConfigFileError, type DaemonConfig } from './config/types.js';
import { configPathOf, loadConfigFile, usage } from './config-file.js';
import { Daemon, type DaemonLogSettings } from './daemon.js';
import { daemonLogSettings, takeSystemdEnvironment } from './daemon-environment.js';
import type { DaemonMetrics } from './metrics.js';
import { StatusListenError, type StatusServer } from './status-server.js';
import { startStatusSide } from './status-side.js';
import { NoFreeMonitorPortError } from '../adapters/monitor-port.js';
import { findSystemLog } from '../adapters/log-destination.js';

export async function runDaemon(prog: string, args: readonly string[], live: Live): Promise<void> {
  const fail = (message: string): void => {
    process.stderr.write(`${prog}: ${message}\n`);
    process.exit(1);
  };
  const target = configPathOf(args);
  if ('complaint' in target) return fail(`${target.complaint}\n${usage('--config')}`);

  let logSettings: DaemonLogSettings;
  try {
    logSettings = daemonLogSettings(process.env);
  } catch (error) {
    if (error instanceof EnvError) return fail(`in the daemon's environment: ${error.message}`);
    throw error;
  }

  let config: DaemonConfig;
  try {
    config = await loadConfigFile(target.path);
  } catch (error) {
    if (error instanceof ConfigFileError || error instanceof NoFreeMonitorPortError) return fail(error.message);
    throw error;
  }

  // a socket it cannot use is said on stderr, and the tunnels run without readiness
  const { notifier, watchdogEnv } = await takeSystemdEnvironment(process.env, (message) => process.stderr.write(`${prog}: ${message}\n`));

  const logOnStderr = logSettings.debug || (logSettings.logFile === null && findSystemLog().kind !== 'syslog');
  let metrics: DaemonMetrics | null = null;
  const daemon: Daemon = new Daemon({
    prog,
    load: loadConfigFile,
    log: logSettings,
    onExit: (code) => {
      // the status endpoint answers until every tunnel has stopped, then the process goes
      void (server?.close() ?? Promise.resolve()).finally(() => process.exit(code));
    },
    onReload: (result) => metrics?.noteReload(result),
    // said on stderr too, unless the log is there already (the journal, no syslog, AUTOSSH_DEBUG)
    warn: (line) => {
      if (!logOnStderr) process.stderr.write(line);
    },
    notifier,
    watchdogEnv,
  });

  // /ready /status /metrics: bound before any tunnel starts, so a taken port starts nothing
  let server: StatusServer | null = null;
  if (config.status) {
    try {
      ({ server, metrics } = await startStatusSide(config.status, daemon, target.path));
    } catch (error) {
      if (error instanceof StatusListenError) return fail(error.message);
      throw error;
    }
  }

  // autossh.ts's signal handlers and its error handler reach the daemon from now on
  live.daemon = daemon;
  const error = daemon.start(config);
  if (error !== null) {
    await server?.close();
    fail(error);
  }
}
