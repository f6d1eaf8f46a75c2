// Daemon tunnels on a virtual clock: each one the daemon's own restart loop
// (src/daemon/restart-loop.ts, with the pure policy of src/daemon/restart-policy.ts), whose runs
// are the real machine driven by the shared driver over a seeded random world
// (./random-world.ts). The loop runs unchanged: only its timer is the virtual clock's.
// What each tunnel did is recorded for the property tests: every run's start (and whether an
// operator's SIGUSR1 brought it forward) and end, and any moment two of its ssh ran at once.
import { Supervisor } from '../src/driver/supervisor.js';
import type { Config } from '../src/machine/config/types.js';
import type { SupervisorSignal } from '../src/machine/signals.js';
import { RestartLoop, type FinalEnd, type LoopTimer } from '../src/daemon/restart-loop.js';
import { restartJitterOf, type RestartPolicy, type RunEndReason } from '../src/daemon/restart-policy.js';
import { RunEndWatch } from '../src/daemon/run-end.js';
import type { Prng } from './fleet/prng.js';
import { RandomWorld, type RandomWorldOptions } from './random-world.js';
import type { VirtualClock } from './virtual-clock.js';

export interface RunStory {
  run: number;
  startedAtMs: number;
  /** an operator's SIGUSR1 ended the restart wait before it was due */
  early: boolean;
  end: { atMs: number; code: number; reason: RunEndReason } | null;
}

/** A world that tells its tunnel when one of its ssh starts or when the run's machine exits. */
class RunWorld extends RandomWorld {
  constructor(
    clock: VirtualClock,
    random: Prng,
    options: RandomWorldOptions,
    tell: ConstructorParameters<typeof RandomWorld>[3],
    private readonly onSpawn: (world: RunWorld) => void,
    private readonly onExit: (code: number) => void,
  ) {
    super(clock, random, options, tell);
  }

  override spawnSsh(n: number): void {
    this.onSpawn(this);
    super.spawnSsh(n);
  }

  override exit(code: number): void {
    super.exit(code);
    this.onExit(code);
  }
}

export class SimulatedDaemonTunnel {
  readonly runs: RunStory[] = [];
  /** set when an ssh started while another of this tunnel's still ran */
  twoSshAt: number | null = null;
  final: FinalEnd | null = null;
  private readonly loop: RestartLoop;
  /** the current run's world, and any older one whose ssh still runs */
  private readonly worlds: RunWorld[] = [];
  private supervisor: Supervisor | null = null;
  private early = false;

  constructor(
    readonly name: string,
    private readonly clock: VirtualClock,
    private readonly random: Prng,
    private readonly config: Config,
    readonly policy: RestartPolicy,
    private readonly world: RandomWorldOptions,
    jitterSeed: number,
  ) {
    const timer: LoopTimer = {
      now: () => clock.now(),
      after: (delayMs, fire) => {
        const id = clock.after(delayMs, fire);
        return () => clock.cancel(id);
      },
    };
    this.loop = new RestartLoop(policy, timer, restartJitterOf(jitterSeed), {
      startRun: (run) => this.startRun(run),
      restarting: (_, early) => {
        this.early = early;
      },
      ended: (final) => {
        this.final = final;
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  /** as the daemon's DaemonTunnel takes a signal (src/daemon/daemon-tunnel.ts) */
  signal(signal: SupervisorSignal): void {
    this.loop.takeSignal(signal, () => (this.loop.phase === 'running' && this.supervisor !== null && !this.supervisor.done ? this.current()! : null));
  }

  private current(): RunWorld | undefined {
    return this.worlds.at(-1);
  }

  get sshAlive(): boolean {
    return this.worlds.some((world) => world.sshAlive);
  }

  get done(): boolean {
    return this.final !== null;
  }

  private startRun(run: number): void {
    const story: RunStory = { run, startedAtMs: this.clock.now(), early: this.early, end: null };
    this.early = false;
    this.runs.push(story);
    const watch = new RunEndWatch();
    const supervisor = new Supervisor(this.config, { observe: (effect) => watch.observe(effect) });
    const world = new RunWorld(
      this.clock,
      this.random,
      this.world,
      (event) => {
        watch.heard(event);
        supervisor.tell(event);
      },
      (spawning) => {
        if (this.worlds.some((other) => other !== spawning && other.sshAlive)) this.twoSshAt ??= this.clock.now();
      },
      (code) => {
        const reason = watch.reasonOf(code);
        story.end = { atMs: this.clock.now(), code, reason };
        this.loop.runEnded(code, reason);
      },
    );
    // an ended run's world is kept only while its ssh lives (never, if the driver is right)
    const stillRunning = this.worlds.filter((old) => old.sshAlive);
    this.worlds.length = 0;
    this.worlds.push(...stillRunning, world);
    this.supervisor = supervisor;
    supervisor.start(world);
  }
}
