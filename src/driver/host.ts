// What a world must offer to run the machine: the real one (src/adapters) or a simulated one
// (sim/). Data flows one way. The driver turns the machine's effects into calls on the host;
// the host tells what happened through the `Tell` sink it was given when it was built, and
// never sees the supervisor.
import type { Effect } from '../machine/effects.js';
import type { TimerName, WorldEvent } from '../machine/events.js';

export type ProbeRequest = Extract<Effect, { type: 'runProbe' }>;

/** Where a host sends what happened; the driver stamps it with the host's clock. */
export type Tell = (event: WorldEvent) => void;

export interface SupervisorHost {
  /** ms on the host's clock: events are stamped with it */
  now(): number;
  log(level: number, message: string): void;
  /** A start-up error that ends the run (before ssh ever ran): log it where a person will see it. */
  startFailed(message: string): void;
  /** Bind 127.0.0.1:port for the loop form's replies; `done` gets an error message or null. */
  openMonitorListener(port: number, done: (error: string | null) => void): void;
  closeMonitorListener(): void;
  /** an error message or null */
  writePidFile(): string | null;
  removePidFile(): void;
  spawnSsh(n: number, argv: string[]): void;
  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void;
  runProbe(request: ProbeRequest): void;
  cancelProbe(probeId: number): void;
  /** D9: tell SSH_ESTABLISHED once the current ssh shows its session is up (see the effect) */
  awaitEstablished(listenPorts: readonly number[], authLine: boolean): void;
  /** D11: tell NETWORK_CHANGED when the network comes back, until unwatchNetwork */
  watchNetwork(): void;
  unwatchNetwork(): void;
  armTimer(timer: TimerName, dueMs: number): void;
  cancelTimer(timer: TimerName): void;
  /** a decision and its rule, for replay traces; optional */
  decision?(rule: string, detail: string): void;
  exit(code: number): void;
}
