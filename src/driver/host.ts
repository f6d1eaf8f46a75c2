// What a world must offer to run the machine: the real one (src/adapters) or a simulated one
// (sim/). Data flows one way. The driver turns the machine's effects into calls on the host;
// the host tells what happened through the `Tell` sink it was given when it was built, and
// never sees the supervisor.
//
// The host is one object, but its duties are separate concerns, each a small interface below, so
// a reader (or a world that has nothing to say about one) sees which calls belong together.
import type { Effect } from '../machine/effects.js';
import type { TimerName, WorldEvent } from '../machine/events.js';

export type ProbeRequest = Extract<Effect, { type: 'runProbe' }>;

/** Where a host sends what happened; the driver stamps it with the host's clock. */
export type Tell = (event: WorldEvent) => void;

/** The host's clock. */
export interface HostClock {
  /** ms on the host's clock: events are stamped with it */
  now(): number;
}

/** Where the machine's words go. */
export interface HostLog {
  log(level: number, message: string): void;
  /** a decision and its rule, for replay traces; optional */
  decision?(rule: string, detail: string): void;
}

/** 1.4g's start-up before the first ssh, and its undoing at the end. */
export interface HostStartUp {
  /** A start-up error that ends the run (before ssh ever ran): log it where a person will see it. */
  startFailed(message: string): void;
  /** Bind 127.0.0.1:port for the loop form's replies; `done` gets an error message or null. */
  openMonitorListener(port: number, done: (error: string | null) => void): void;
  closeMonitorListener(): void;
  /** an error message or null */
  writePidFile(): string | null;
  removePidFile(): void;
}

/** The one ssh child: its start, its signals, the evidence that its session is up. */
export interface HostSsh {
  spawnSsh(n: number, argv: string[]): void;
  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void;
  /** D9: tell SSH_ESTABLISHED once the current ssh shows its session is up (see the effect) */
  awaitEstablished(listenPorts: readonly number[], authLine: boolean): void;
}

/** Connection tests through the monitor port: one in flight at a time, told by its id. */
export interface HostConnectionTests {
  runProbe(request: ProbeRequest): void;
  cancelProbe(probeId: number): void;
}

/** The machine's named timers: arming a name again replaces it. */
export interface HostTimers {
  armTimer(timer: TimerName, dueMs: number): void;
  cancelTimer(timer: TimerName): void;
}

/** D11: tell NETWORK_CHANGED when the network comes back, until unwatchNetwork. */
export interface HostNetworkWatch {
  watchNetwork(): void;
  unwatchNetwork(): void;
}

export interface SupervisorHost
  extends HostClock, HostLog, HostStartUp, HostSsh, HostConnectionTests, HostTimers, HostNetworkWatch {
  /** the run is over with this code: stop everything still going */
  exit(code: number): void;
}
