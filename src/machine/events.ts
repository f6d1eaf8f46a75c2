// What a driver (the real world or the simulator) tells the machine: each event is named for
// what happened. Every event carries the time it happened at, in ms on the driver's clock: the
// machine never reads a clock.
import type { SupervisorSignal } from './signals.js';

/** How an ssh ended: its exit status, or the signal that killed it. */
export type SshEnd = { code: number; signal?: undefined } | { signal: string; code?: undefined };

export type TimerName = 'backoff' | 'poll' | 'lifetime' | 'kill' | 'connect';

/** Each of the machine's timers falls due as an event of its own. */
export const TIMER_DUE_EVENTS = {
  backoff: 'BACKOFF_DUE',
  poll: 'POLL_DUE',
  lifetime: 'LIFETIME_DUE',
  kill: 'KILL_DUE',
  connect: 'CONNECT_DUE',
} as const satisfies Record<TimerName, string>;
export type TimerDueEvent = (typeof TIMER_DUE_EVENTS)[TimerName];

/** A signal to the supervisor, xstate's way: SIGHUP arrives as `SIGNAL.HUP`. */
export type SignalEvent = `SIGNAL.${SupervisorSignal extends `SIG${infer Name}` ? Name : never}`;

export function signalEvent(signal: SupervisorSignal): SignalEvent {
  return `SIGNAL.${signal.slice(3)}` as SignalEvent;
}

/** `SIGNAL.TERM` -> `SIGTERM` */
export function signalOf(event: SignalEvent): SupervisorSignal {
  return `SIG${event.slice('SIGNAL.'.length)}` as SupervisorSignal;
}

/** What happened in the world, before the driver stamps it with the time. */
export type WorldEvent =
  | { type: 'START' }
  | { type: 'SSH_EXITED'; end: SshEnd }
  /**
   * ssh could not be started: there is no child to wait for. `errno` names the cause when the
   * system gave one (Node's `error.code`, "EMFILE"); decisions/spawn-failure.ts tells a failure
   * for now (retried) from one for good (D7)
   */
  | { type: 'SSH_SPAWN_FAILED'; error: string; errno?: string | null }
  | { type: TimerDueEvent }
  /** evidence that ssh number n's session is up (see Config.evidence) */
  | { type: 'SSH_ESTABLISHED'; n: number }
  /**
   * ssh number n said "remote port forwarding failed for listen port N" on its stderr. It names
   * its ssh: a host may read an ssh's last line after it has told that ssh's end.
   */
  | { type: 'REMOTE_FORWARD_FAILED'; n: number; port: number }
  /** a link came up, or an address or a default route appeared */
  | { type: 'NETWORK_CHANGED'; detail: string }
  | { type: 'PROBE_PASSED'; probeId: number }
  | { type: 'PROBE_FAILED'; probeId: number; reason: string }
  | { type: SignalEvent };

export type MachineEvent = WorldEvent & { atMs: number };
