// A fault schedule, as written in a file (docs/chaos.md) and as expanded for a run.

export type StreamChoice = 'upstream' | 'downstream' | 'both';

/** One step as written: a toxic or a local fault, applied at `atMs` for `durationMs`. */
export interface ScheduleStep {
  /** Label in tables and plots; default the type. */
  name: string;
  /** A Toxiproxy toxic type, or a fault kind run here: "server-restart", "proxy-down", "flow-freeze", "link-down". */
  type: string;
  atMs: number;
  durationMs: number;
  attributes: Record<string, unknown>;
  stream: StreamChoice;
  toxicity: number;
  /** The step happens this many times (default 1), `everyMs` apart. */
  repeat: number;
  everyMs: number;
}

/** Which way the tunnel under test forwards: `-L` (a local port to the far end) or `-R` (a port on the server back to us). */
export type ForwardKind = 'local' | 'remote';

export interface Schedule {
  name: string;
  description: string;
  steps: ScheduleStep[];
  /** The tunnel's forward (default local). */
  forward: ForwardKind;
  /** How long the run waits for recovery after the last fault; undefined: the lab's default (or --recovery-timeout). */
  recoveryTimeoutMs: number | undefined;
  /** AUTOSSH_* settings the schedule is about, given to every supervisor (1.4g ignores those it does not know). */
  env: Record<string, string>;
}

/** One occurrence of a step in a run: what the measurements are about. */
export interface Fault {
  /** 1-based, in start order. */
  index: number;
  /** "blackhole", or "flap#2" for the second occurrence of a repeated step. */
  label: string;
  step: ScheduleStep;
  /** Planned times, ms after the schedule started. */
  plannedStartMs: number;
  plannedEndMs: number;
}

/** Occurrences of every step, in start order. */
export function expandSchedule(schedule: Schedule): Fault[] {
  const occurrences: Array<Omit<Fault, 'index'>> = [];
  for (const step of schedule.steps) {
    for (let i = 0; i < step.repeat; i++) {
      const start = step.atMs + i * step.everyMs;
      occurrences.push({
        label: step.repeat > 1 ? `${step.name}#${i + 1}` : step.name,
        step,
        plannedStartMs: start,
        plannedEndMs: start + step.durationMs,
      });
    }
  }
  occurrences.sort((a, b) => a.plannedStartMs - b.plannedStartMs);
  return occurrences.map((o, i) => ({ ...o, index: i + 1 }));
}
