// `autossh-ts --config FILE`: the daemon's start. Imported by src/cli/autossh.ts only for
// --config, so the drop-in's start stays lean. 1.4g never accepts --config (its getopt refuses
// "--"), so no drop-in command line changes meaning.
//
// A file that cannot be read or is broken ends the start here, before anything runs: exit 1
// (as the drop-in's bad settings do, D8) with `autossh-ts: FILE:LINE: problem` on stderr.
import { accessSync, constants, statSync } from 'node:fs';
import { EnvError, readEnv } from '../machine/config/env.js';
import { signalOf, type SignalEvent } from '../machine/events.js';
import type { Live } from '../cli/autossh.js';
import { loadTrustedDaemonConfig } from './config/load.js';
import { ConfigFileError, type DaemonConfig } from './config/types.js';
import { Daemon } from './daemon.js';
import { notifierFromEnvironment } from '../adapters/sd-notify.js';
import { NOTIFY_VARIABLES } from '../cli/readiness.js';
import { VERSION } from '../cli/help.js';
import { createDaemonMetrics, type DaemonMetrics } from './metrics.js';
import { StatusListenError, startStatusServer, type StatusServer } from './status-server.js';
import { createTunnelTracker, statusSourceOf } from './tunnel-tracker.js';
import { withPickedMonitorPorts } from './monitor-ports.js';
import { NoFreeMonitorPortError } from '../adapters/monitor-port.js';
import { findSystemLog } from '../adapters/log-destination.js';

const usage = (option: string): string => `usage: autossh-ts ${option} FILE`;

/** `--config FILE` or `--config=FILE` (or --check-config's), and nothing after it. */
export function configPathOf(args: readonly string[], option = '--config'): { path: string } | { complaint: string } {
  const [first, ...rest] = args;
  let path: string | undefined;
  if (first === option) path = rest.shift();
  else if (first?.startsWith(`${option}=`)) path = first.slice(option.length + 1);
  if (path === undefined || path === '') return { complaint: `option requires an argument -- '${option}'` };
  if (rest.length > 0) return { complaint: `${option} takes one file and nothing else: unexpected "${rest[0]}" (each tunnel's options go in the file)` };
  return { path };
}

/** The loader's first word on a file that is not there or not readable, said plainly. */
export function readableFileError(path: string): ConfigFileError | null {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return new ConfigFileError(path, null, 'is a directory, not a configuration file');
    // a FIFO or a device would block the read, and with it every tunnel's supervision
    if (!stat.isFile()) return new ConfigFileError(path, null, 'is not a regular file');
    accessSync(path, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return new ConfigFileError(path, null, `cannot read the configuration file: ${why}`);
  }
}

/**
 * The whole file validated (and refused if others can write it or the programs it runs), then
 * D13's monitor ports picked for the tunnels that need one. The start and every reload.
 */
async function load(path: string): Promise<DaemonConfig> {
  const unreadable = readableFileError(path);
  if (unreadable) throw unreadable;
  return withPickedMonitorPorts(loadTrustedDaemonConfig(path, process.geteuid!()));
}

/**
 * `--check-config FILE`: the file through the daemon's own load (every check a start makes of
 * it, with the same words), and nothing started: `FILE: ok, N tunnel(s)` and 0, or the problem
 * and 1. Like `sshd -t`, for a unit's ExecStartPre= and ExecReload= before the SIGHUP.
 */
export async function checkConfig(prog: string, args: readonly string[]): Promise<void> {
  const target = configPathOf(args, '--check-config');
  if ('complaint' in target) {
    process.stderr.write(`${prog}: ${target.complaint}\n${usage('--check-config')}\n`);
    process.exit(1);
  }
  try {
    const config = await load(target.path);
    process.stdout.write(`${target.path}: ok, ${config.tunnels.length} tunnel(s)\n`);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof ConfigFileError || error instanceof NoFreeMonitorPortError)) throw error;
    process.stderr.write(`${prog}: ${error.message}\n`);
    process.exit(1);
  }
}

export async function runDaemon(prog: string, args: readonly string[], live: Live): Promise<void> {
  const fail = (message: string): void => {
    process.stderr.write(`${prog}: ${message}\n`);
    process.exit(1);
  };
  const target = configPathOf(args);
  if ('complaint' in target) return fail(`${target.complaint}\n${usage('--config')}`);

  // the daemon's own lines go where the drop-in's would: AUTOSSH_LOGFILE, AUTOSSH_LOGLEVEL, AUTOSSH_DEBUG
  // only these three are read from the daemon's own environment (the tunnels' settings are the file's)
  let logSettings;
  const { AUTOSSH_LOGFILE, AUTOSSH_LOGLEVEL, AUTOSSH_DEBUG } = process.env;
  try {
    logSettings = readEnv({ AUTOSSH_LOGFILE, AUTOSSH_LOGLEVEL, AUTOSSH_DEBUG });
  } catch (error) {
    if (error instanceof EnvError) return fail(`in the daemon's environment: ${error.message}`);
    throw error;
  }

  let config: DaemonConfig;
  try {
    config = await load(target.path);
  } catch (error) {
    if (error instanceof ConfigFileError || error instanceof NoFreeMonitorPortError) return fail(error.message);
    throw error;
  }

  // read before they are unset below; the daemon pings as the drop-in does (../adapters/systemd-watchdog.ts)
  const watchdogEnv = { WATCHDOG_USEC: process.env.WATCHDOG_USEC, WATCHDOG_PID: process.env.WATCHDOG_PID };
  // sd_notify under systemd (nothing loaded without NOTIFY_SOCKET); a socket it cannot use is
  // said on stderr, and the tunnels run without readiness
  const notifier = await notifierFromEnvironment(process.env, (_level, message) => process.stderr.write(`${prog}: ${message}\n`));
  // as sd_notify(unset_environment=1): no ssh (nor what it runs) inherits them
  for (const name of NOTIFY_VARIABLES) delete process.env[name];

  const logOnStderr = logSettings.debug || (logSettings.logFile === null && findSystemLog().kind !== 'syslog');
  let metrics: DaemonMetrics | null = null;
  const daemon: Daemon = new Daemon({
    prog,
    load,
    log: { logFile: logSettings.logFile, logLevel: logSettings.logLevel, debug: logSettings.debug },
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
    makeTracker: (tunnel) => createTunnelTracker(tunnel),
    watchdogEnv,
  });

  // /ready /status /metrics: bound before any tunnel starts, so a taken port starts nothing
  let server: StatusServer | null = null;
  if (config.status) {
    const trackers = { trackers: () => daemon.trackers() };
    metrics = createDaemonMetrics(trackers, { processMetrics: true });
    const info = { pid: process.pid, configPath: target.path, startedAt: new Date().toISOString(), version: VERSION };
    try {
      server = await startStatusServer(config.status, statusSourceOf(trackers, info), metrics);
    } catch (error) {
      if (error instanceof StatusListenError) return fail(error.message);
      throw error;
    }
  }

  // autossh.ts's signal handlers tell `live.supervisor`: here that is the daemon, which answers
  // for all its tunnels; its error handler kills through `live.host`
  live.supervisor = {
    get done() {
      return daemon.done;
    },
    tell: (event) => {
      if (event.type.startsWith('SIGNAL.')) daemon.signal(signalOf(event.type as SignalEvent));
    },
  };
  live.host = { signalSsh: () => daemon.killEverySsh(), removePidFile: () => {} };
  const error = daemon.start(config);
  if (error !== null) {
    await server?.close();
    fail(error);
  }
}
