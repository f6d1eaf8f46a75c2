// What a world must offer to run the machine: the real one (src/adapters) or a simulated one
// (sim/). The driver turns the machine's effects into these calls, and the host reports back
// through the Supervisor's methods.
import type { Effect } from '../machine/effects.js';
import type { TimerName } from '../machine/events.js';

export type ProbeRequest = Extract<Effect, { type: 'runProbe' }>;

export interface SupervisorHost {
  /** ms on the host's clock: events are stamped with it */
  now(): number;
  log(level: number, message: string): void;
  /** bind 127.0.0.1:port for the loop form's replies; an error message or null */
  openMonitorListener(port: number): string | null;
  closeMonitorListener(): void;
  /** an error message or null */
  writePidFile(): string | null;
  removePidFile(): void;
  spawnSsh(n: number, argv: string[]): void;
  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void;
  runProbe(request: ProbeRequest): void;
  cancelProbe(probeId: number): void;
  armTimer(timer: TimerName, dueMs: number): void;
  cancelTimer(timer: TimerName): void;
  /** a decision and its rule, for replay traces; optional */
  decision?(rule: string, detail: string): void;
  exit(code: number): void;
}
