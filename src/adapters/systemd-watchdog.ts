// systemd's watchdog (WatchdogSec=): WATCHDOG=1 every half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
// advises. What it proves is that our event loop still turns: a supervisor stuck in a loop or a
// blocking call stops pinging and systemd restarts it. One reading of the variables and one
// interval rule for the drop-in and the daemon.
import { LOG_ERR, LOG_WARNING } from '../machine/config/log-levels.js';

/** a WATCHDOG_USEC of a few µs must not turn into a busy loop of datagrams */
export const MIN_PING_INTERVAL_MS = 10;
/**
 * Node's timers hold at most 2^31-1 ms (24.8 days): a longer interval fires after 1 ms, again and
 * again. Pinging that often is still at least twice per WATCHDOG_USEC beyond it: harmless.
 */
export const MAX_PING_INTERVAL_MS = 2 ** 31 - 1;

export type WatchdogPlan =
  /** ping every intervalMs; `notice` says why that is not half of WATCHDOG_USEC, when it is not */
  | { intervalMs: number; notice: string | null }
  /** the variables are set but cannot be used: said, and no pings */
  | { problem: string }
  /** no watchdog, or one that watches another process */
  | null;

/**
 * The watchdog from WATCHDOG_USEC and WATCHDOG_PID: none when WATCHDOG_USEC is unset, or when it
 * watches another process (WATCHDOG_PID is not `ourPid`: the `-f` daemon's launcher was the main
 * pid). Both are what systemd writes, decimal whole numbers; anything else is refused by name.
 */
export function watchdogPlan(env: NodeJS.ProcessEnv, ourPid: number): WatchdogPlan {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined) return null;
  const pidText = env.WATCHDOG_PID;
  if (pidText !== undefined) {
    if (!/^[1-9][0-9]*$/.test(pidText)) return { problem: `WATCHDOG_PID=${JSON.stringify(pidText)} is not a process id: no watchdog pings` };
    if (Number(pidText) !== ourPid) return null;
  }
  if (!/^[0-9]+$/.test(usecText) || !/[1-9]/.test(usecText)) {
    return { problem: `WATCHDOG_USEC=${JSON.stringify(usecText)} is not a positive whole number of microseconds: no watchdog pings` };
  }
  const halfMs = Math.floor(Number(usecText) / 2000);
  if (halfMs < MIN_PING_INTERVAL_MS) {
    return {
      intervalMs: MIN_PING_INTERVAL_MS,
      notice: `WATCHDOG_USEC=${usecText} asks for a ping every ${Number(usecText) / 2000} ms; pinging every ${MIN_PING_INTERVAL_MS} ms, the least`,
    };
  }
  return { intervalMs: Math.min(halfMs, MAX_PING_INTERVAL_MS), notice: null };
}

/**
 * Pings while the process lives (the timer is unref'd: it never keeps us alive). `say` hears a
 * refusal (LOG_ERR) or a notice (LOG_WARNING): the caller puts it in the log and on stderr.
 * Returns the stop function, or null when there is no watchdog for us.
 */
export function startWatchdog(ping: () => void, env: NodeJS.ProcessEnv, say: (level: number, message: string) => void, ourPid = process.pid): (() => void) | null {
  const plan = watchdogPlan(env, ourPid);
  if (plan === null) return null;
  if ('problem' in plan) {
    say(LOG_ERR, `sd_notify: ${plan.problem}`);
    return null;
  }
  if (plan.notice !== null) say(LOG_WARNING, `sd_notify: ${plan.notice}`);
  const timer = setInterval(ping, plan.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
