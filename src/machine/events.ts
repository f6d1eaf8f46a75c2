// What a driver (the real world or the simulator) tells the machine. Every event carries the
// time it happened at, in ms on the driver's clock: the machine never reads a clock.
import type { SupervisorSignal } from './signals.js';

export type TimerName = 'backoff' | 'poll' | 'lifetime' | 'kill';

export type MachineEvent =
  | { type: 'START'; atMs: number }
  | { type: 'CHILD_EXIT'; atMs: number; code?: number; signal?: string }
  | { type: 'SPAWN_FAILED'; atMs: number; error: string }
  | { type: 'TIMER'; atMs: number; timer: TimerName }
  | { type: 'PROBE_RESULT'; atMs: number; probeId: number; ok: boolean; reason?: string }
  | { type: 'SIGNAL'; atMs: number; signal: SupervisorSignal };
