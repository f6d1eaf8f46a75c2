// systemd's watchdog (WatchdogSec=): WATCHDOG=1 every half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
// advises. What it proves is that our event loop still turns: a supervisor stuck in a loop or a
// blocking call stops pinging and systemd restarts it.
import { LOG_ERR } from '../machine/config/log-levels.js';
import type { Notifier, NotifierLog } from './sd-notify.js';

/** a WATCHDOG_USEC of a few µs must not turn into a busy loop of datagrams */
const MIN_PING_INTERVAL_MS = 10;

/**
 * How often to ping, from WATCHDOG_USEC and WATCHDOG_PID: null when there is no watchdog, or it
 * watches another process (WATCHDOG_PID set and not `ourPid`: the `-f` daemon's launcher was the
 * main pid). A WATCHDOG_USEC that is not a positive whole number is a problem, not a watchdog.
 */
export function watchdogPingIntervalMs(env: NodeJS.ProcessEnv, ourPid: number): number | { problem: string } | null {
  const usecText = env.WATCHDOG_USEC;
  if (!usecText) return null;
  const pidText = env.WATCHDOG_PID;
  if (pidText && Number(pidText) !== ourPid) return null;
  if (!/^[0-9]+$/.test(usecText) || Number(usecText) === 0) {
    return { problem: `WATCHDOG_USEC=${JSON.stringify(usecText)} is not a positive whole number of microseconds` };
  }
  return Math.max(MIN_PING_INTERVAL_MS, Math.floor(Number(usecText) / 2000));
}

/**
 * Pings while the process lives (the timer is unref'd: it never keeps us alive). Returns the stop
 * function, or null when there is no watchdog for us.
 */
export function startWatchdog(notifier: Notifier, env: NodeJS.ProcessEnv, log: NotifierLog, ourPid = process.pid): (() => void) | null {
  const intervalMs = watchdogPingIntervalMs(env, ourPid);
  if (intervalMs === null) return null;
  if (typeof intervalMs !== 'number') {
    log(LOG_ERR, `sd_notify: ${intervalMs.problem}: no watchdog pings`);
    return null;
  }
  const timer = setInterval(() => notifier.notify({ WATCHDOG: true }), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
