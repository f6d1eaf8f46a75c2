// Plays a run's faults: each switched on and off at its planned time on the schedule's clock, on
// every proxy at once, with the times it really took effect recorded. Faults still on when the run
// stops early are lifted by liftActive(), so an external Toxiproxy is left clean.
import { findFaultKind, type ActiveFault, type FaultWorld } from './faults/index.js';
import type { Fault } from './schedule/types.js';
import type { FaultRecord } from './result.js';
import type { RunClock } from './run-clock.js';

export class FaultRunner {
  private readonly records = new Map<number, FaultRecord>();
  /** The faults switched on and not yet off, by index. */
  private readonly on = new Map<number, { fault: Fault; active: ActiveFault }>();

  constructor(
    private readonly faults: readonly Fault[],
    private readonly world: FaultWorld,
    private readonly clock: RunClock,
    /** When the schedule's clock started, on the run clock. */
    private readonly scheduleStartMs: number,
    private readonly event: (line: string) => void,
  ) {}

  /** Every fault on and off in time order (an end before a start at the same moment); the records in schedule order. */
  async play(): Promise<FaultRecord[]> {
    const changes = this.faults
      .flatMap((fault) => [
        { atMs: fault.plannedStartMs, fault, on: true },
        { atMs: fault.plannedEndMs, fault, on: false },
      ])
      .sort((a, b) => a.atMs - b.atMs || Number(a.on) - Number(b.on));
    for (const change of changes) {
      await this.clock.sleep(this.scheduleStartMs + change.atMs - this.clock.now());
      if (change.on) await this.switchOn(change.fault);
      else await this.switchOff(change.fault);
    }
    return this.faults.map((f) => this.records.get(f.index)!);
  }

  /** The fault half of the status line: what is on, or what comes next and when. */
  describe(nowMs: number): string {
    const on = [...this.on.values()].map(({ fault }) => fault.label);
    if (on.length > 0) return `${on.join('+')} ON`;
    const next = this.faults.find((f) => !this.records.has(f.index));
    if (next === undefined) return 'recovering';
    return `next: ${next.label} in ${((this.scheduleStartMs + next.plannedStartMs - nowMs) / 1000).toFixed(1)} s`;
  }

  async liftActive(): Promise<void> {
    for (const { active } of this.on.values()) await active.end().catch(() => {});
    this.on.clear();
  }

  private async switchOn(fault: Fault): Promise<void> {
    const startMs = this.clock.now();
    try {
      this.on.set(fault.index, { fault, active: await findFaultKind(fault.step.type)!.start(fault.step, this.world, `chaos-${fault.index}`) });
    } catch (error) {
      throw new Error(`fault "${fault.label}" could not start: ${(error as Error).message}`);
    }
    this.records.set(fault.index, faultRecord(fault, this.scheduleStartMs, startMs));
    this.event(`${(startMs / 1000).toFixed(1)} s  fault ${fault.index}/${this.faults.length} ${fault.label} on`);
  }

  private async switchOff(fault: Fault): Promise<void> {
    const { active } = this.on.get(fault.index)!;
    this.on.delete(fault.index);
    try {
      await active.end();
    } catch (error) {
      throw new Error(`fault "${fault.label}" could not be switched off: ${(error as Error).message}`);
    }
    const record = this.records.get(fault.index)!;
    record.endMs = this.clock.now();
    this.event(`${(record.endMs / 1000).toFixed(1)} s  fault ${fault.index}/${this.faults.length} ${fault.label} off`);
  }
}

function faultRecord(f: Fault, scheduleStartMs: number, startMs: number): FaultRecord {
  return {
    index: f.index,
    label: f.label,
    type: f.step.type,
    stream: f.step.stream,
    toxicity: f.step.toxicity,
    attributes: f.step.attributes,
    endCloses: findFaultKind(f.step.type)?.endCloses ?? false,
    plannedStartMs: scheduleStartMs + f.plannedStartMs,
    plannedEndMs: scheduleStartMs + f.plannedEndMs,
    startMs,
    endMs: startMs,
  };
}
