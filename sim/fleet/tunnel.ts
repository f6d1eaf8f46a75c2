// One tunnel of a fleet: its own world, its own PRNG stream, and its next fault. Faults are
// drawn one at a time as the clock reaches them, so a 30-day run never holds a schedule.
import type { VirtualClock } from '../virtual-clock.js';
import { OpensshWorld, type WorldObserver } from '../openssh/openssh-world.js';
import type { SshOptions } from '../openssh/ssh-options.js';
import type { RunMachine } from '../../src/driver/machine-runner.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import type { Config } from '../../src/machine/config/types.js';
import type { Fact, WorldParams } from '../timeline/types.js';
import { sampleMs } from './distributions.js';
import type { FaultModel, FaultSpec } from './fault-model.js';
import { Prng } from './prng.js';

const DAY_MS = 86_400_000;

export function factOf(spec: FaultSpec, atMs: number, forMs: number): Fact {
  switch (spec.kind) {
    case 'outage': return { kind: 'outage', atMs, forMs, mode: spec.mode };
    case 'latency': return { kind: 'latency', atMs, forMs, addMs: spec.addMs };
    case 'sshCrash': return { kind: 'sshCrash', atMs, exitCode: spec.signal ? null : 255, signal: spec.signal };
    default: return { kind: spec.kind, atMs, forMs };
  }
}

export class FleetTunnel {
  readonly world: OpensshWorld;
  private readonly supervisor: Supervisor;
  private readonly prng: Prng;
  faults = 0;
  /** sees every fault inflicted on this tunnel (--export-tunnel records them as a timeline) */
  onFact: ((fact: Fact) => void) | null = null;

  constructor(
    private readonly clock: VirtualClock,
    private readonly model: FaultModel,
    /** sum of the model's per-tunnel rates, per day */
    private readonly perDay: number,
    seed: number,
    config: Config,
    params: WorldParams,
    sshOptions: SshOptions,
    /** the fleet's shared way of running machines */
    run: RunMachine,
    /** what the fleet counts across its tunnels (one object for all) */
    observer: WorldObserver | null = null,
  ) {
    this.prng = new Prng(seed);
    this.supervisor = new Supervisor(config, { run });
    this.world = new OpensshWorld(clock, config, params, this.supervisor.tell, observer, { elideHealthyPolls: true }, sshOptions);
  }

  start(): void {
    this.supervisor.start(this.world);
    this.scheduleNext();
  }

  /** A fault on this tunnel now (its own or a correlated one). */
  inflict(fact: Fact): void {
    this.faults++;
    this.onFact?.(fact);
    this.world.begin(fact);
    if ('forMs' in fact) this.clock.after(fact.forMs, () => this.world.end(fact));
  }

  private scheduleNext(): void {
    if (this.perDay <= 0) return;
    const gapMs = Math.max(1, Math.round(this.prng.exponential(DAY_MS / this.perDay)));
    this.clock.after(gapMs, () => {
      if (this.world.done) return; // a supervisor that gave up: nothing left to watch
      const spec = this.pick();
      this.inflict(factOf(spec, this.clock.now(), sampleMs(spec.duration, this.prng)));
      this.scheduleNext();
    });
  }

  /** which kind: by its share of the total rate */
  private pick(): FaultSpec {
    let x = this.prng.next() * this.perDay;
    for (const spec of this.model.faults) {
      x -= spec.perDay;
      if (x < 0) return spec;
    }
    return this.model.faults[this.model.faults.length - 1]!;
  }
}
