// What the daemon takes from its own environment: where its lines go (AUTOSSH_LOGFILE,
// AUTOSSH_LOGLEVEL, AUTOSSH_DEBUG: the tunnels' settings are the file's), and systemd's
// notification variables, which no ssh may inherit.
import { notifierFromEnvironment } from '../adapters/sd-notify.js';
import { NOTIFY_VARIABLES } from '../cli/readiness.js';
import { readEnv } from '../machine/config/env.js';
import type { DaemonLogSettings } from './daemon.js';
import type { NotifySink } from './daemon-notifications.js';

/** The daemon's own lines go where the drop-in's would; an EnvError names a bad value. */
export function daemonLogSettings(env: NodeJS.ProcessEnv): DaemonLogSettings {
  const { AUTOSSH_LOGFILE, AUTOSSH_LOGLEVEL, AUTOSSH_DEBUG } = env;
  const { logFile, logLevel, debug } = readEnv({ AUTOSSH_LOGFILE, AUTOSSH_LOGLEVEL, AUTOSSH_DEBUG });
  return { logFile, logLevel, debug };
}

export interface SystemdEnvironment {
  /** null: not under systemd, or a socket that cannot be used (said through `warn`) */
  notifier: NotifySink | null;
  /** WATCHDOG_USEC and WATCHDOG_PID as they were: the daemon pings as the drop-in does (../adapters/systemd-watchdog.ts) */
  watchdogEnv: NodeJS.ProcessEnv;
}

/**
 * sd_notify under systemd (nothing loaded without NOTIFY_SOCKET), then its variables unset from
 * `env`, as sd_notify(unset_environment=1) does: no ssh (nor what it runs) inherits them.
 */
export async function takeSystemdEnvironment(env: NodeJS.ProcessEnv, warn: (message: string) => void): Promise<SystemdEnvironment> {
  const watchdogEnv = { WATCHDOG_USEC: env.WATCHDOG_USEC, WATCHDOG_PID: env.WATCHDOG_PID };
  const notifier = await notifierFromEnvironment(env, (_level, message) => warn(message));
  for (const name of NOTIFY_VARIABLES) delete env[name];
  return { notifier, watchdogEnv };
}
