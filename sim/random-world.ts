// A seeded, adversarial world for one supervisor: ssh runs for a random time and ends with a
// random status or signal, may ignore SIGTERM, may fail to start; connection tests pass, fail
// or hang; the supervisor itself may be frozen (time jumps). The driver asserts the
// supervisor's invariants as each effect passes (src/driver/invariants.ts).
// Used by the property tests and the benchmarks; many of them can share one clock.
import type { Snapshot } from 'xstate';
import type { ProbeRequest, SupervisorHost, Tell } from '../src/driver/host.js';
import type { RunMachine } from '../src/driver/machine-runner.js';
import { Supervisor } from '../src/driver/supervisor.js';
import type { Config } from '../src/machine/config/types.js';
import { silentTestFailure } from '../src/machine/decisions/connection-test.js';
import { TIMER_DUE_EVENTS, signalEvent, type SshEnd, type TimerName, type WorldEvent } from '../src/machine/events.js';
import type { SupervisorSignal } from '../src/machine/signals.js';
import type { Prng } from './fleet/prng.js';
import { NamedTimers } from './named-timers.js';
import type { TimerId, VirtualClock } from './virtual-clock.js';

export interface RandomWorldOptions {
  /** mean ssh lifetime (exponential) */
  meanRunMs: number;
  /** chance that an ssh end is a death by signal rather than an exit status */
  signalDeathChance: number;
  /** exit statuses drawn uniformly from this list */
  exitStatuses: readonly number[];
  /** chance that an ssh ignores SIGTERM */
  ignoreSigtermChance: number;
  spawnFailChance: number;
  probeFailChance: number;
  /** a test takes up to this long */
  maxProbeMs: number;
  /** record every externally visible step (spawns, exits, signals, exit) for determinism checks */
  recordSteps: boolean;
}

export const BENIGN_WORLD: RandomWorldOptions = {
  meanRunMs: 300_000,
  signalDeathChance: 0,
  exitStatuses: [255],
  ignoreSigtermChance: 0,
  spawnFailChance: 0,
  probeFailChance: 0,
  maxProbeMs: 0,
  recordSteps: false,
};

export class RandomWorld implements SupervisorHost {
  readonly steps: string[] = [];
  starts = 0;
  exitCode: number | null = null;
  exitedAtMs: number | null = null;
  private childAlive = false;
  private childIgnoresTerm = false;
  private childEnd: TimerId | null = null;
  private readonly timers: NamedTimers;
  private readonly probes = new Map<number, TimerId>();
  /** ssh ends and failed starts queued on the clock but not yet told to the supervisor */
  private undelivered = 0;
  /** the supervisor is frozen until then (see freeze) */
  private thawAtMs = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: Prng,
    private readonly options: RandomWorldOptions,
    /** where the supervisor hears what happens here */
    private readonly tell: Tell,
  ) {
    this.timers = new NamedTimers(clock, (timer) => {
      // still armed while frozen, so the supervisor can cancel it in the burst after the thaw
      if (this.frozen) this.timers.arm(timer, this.thawAtMs);
      else this.tell({ type: TIMER_DUE_EVENTS[timer] });
    });
  }

  signal(signal: SupervisorSignal): void {
    if (this.exitCode !== null) return;
    if (this.frozen) {
      this.clock.at(this.thawAtMs, () => this.signal(signal));
      return;
    }
    this.step(`signal ${signal}`);
    this.tell({ type: signalEvent(signal) });
  }

  /**
   * A time jump: the supervisor stops for forMs (SIGSTOP, a suspended VM, a blocked event loop)
   * while ssh and the network go on. Whatever falls due meanwhile (timers, ssh's end, test
   * results, signals) reaches it in one burst at the thaw, in the order it fell due, stamped
   * with the thaw time.
   */
  freeze(forMs: number): void {
    if (this.exitCode !== null) return;
    this.step(`frozen for ${forMs} ms`);
    this.thawAtMs = Math.max(this.thawAtMs, this.now() + forMs);
  }

  get frozen(): boolean {
    return this.now() < this.thawAtMs;
  }

  get sshAlive(): boolean {
    return this.childAlive;
  }

  get probesInFlight(): number {
    return this.probes.size;
  }

  /** news for the supervisor already on the clock: a quiet world with news pending is not stuck */
  get eventsPending(): number {
    return this.undelivered;
  }

  get armedTimers(): number {
    return this.timers.size;
  }

  now(): number {
    return this.clock.now();
  }

  log(): void {}

  startFailed(): void {}

  openMonitorListener(_port: number, done: (error: string | null) => void): void {
    done(null);
  }

  closeMonitorListener(): void {}

  writePidFile(): string | null {
    return null;
  }

  removePidFile(): void {}

  spawnSsh(n: number): void {
    this.starts = n;
    const o = this.options;
    if (this.random.next() < o.spawnFailChance) {
      this.step(`spawn ${n} failed`);
      this.deliver({ type: 'SSH_SPAWN_FAILED', error: 'No such file or directory' });
      return;
    }
    this.step(`spawn ${n}`);
    this.childAlive = true;
    this.childIgnoresTerm = this.random.next() < o.ignoreSigtermChance;
    const runMs = Math.round(this.random.exponential(o.meanRunMs));
    const bySignal = this.random.next() < o.signalDeathChance;
    const status = o.exitStatuses[Math.floor(this.random.next() * o.exitStatuses.length)] ?? 255;
    this.childEnd = this.clock.after(runMs, () => this.childEnds(bySignal ? { signal: 'SIGSEGV' } : { code: status }));
  }

  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (!this.childAlive) return;
    this.step(`ssh gets ${signal}`);
    if (signal === 'SIGKILL') this.childEnds({ signal: 'SIGKILL' });
    else if (!this.childIgnoresTerm) this.childEnds({ code: 255 });
  }

  runProbe(request: ProbeRequest): void {
    const o = this.options;
    const ok = this.random.next() >= o.probeFailChance;
    const giveUpMs = silentTestFailure(request.monitor, request.netTimeoutMs).afterMs;
    const tookMs = Math.round(this.random.next() * Math.min(o.maxProbeMs, giveUpMs));
    const finish = (): void => {
      if (this.frozen) {
        this.probes.set(request.probeId, this.clock.at(this.thawAtMs, finish));
        return;
      }
      this.probes.delete(request.probeId);
      const { probeId } = request;
      this.tell(ok ? { type: 'PROBE_PASSED', probeId } : { type: 'PROBE_FAILED', probeId, reason: 'random failure' });
    };
    this.probes.set(request.probeId, this.clock.after(tookMs, finish));
  }

  cancelProbe(probeId: number): void {
    const id = this.probes.get(probeId);
    if (id !== undefined) this.clock.cancel(id);
    this.probes.delete(probeId);
  }

  /** A live ssh shows its session at once; the liveness properties drive the rest. */
  awaitEstablished(): void {
    if (this.childAlive) this.deliver({ type: 'SSH_ESTABLISHED' });
  }

  watchNetwork(): void {}

  unwatchNetwork(): void {}

  armTimer(timer: TimerName, dueMs: number): void {
    this.timers.arm(timer, dueMs);
  }

  cancelTimer(timer: TimerName): void {
    this.timers.cancel(timer);
  }

  exit(code: number): void {
    this.step(`exit ${code}`);
    this.exitCode = code;
    this.exitedAtMs = this.now();
    this.timers.cancelAll();
    for (const id of this.probes.values()) this.clock.cancel(id);
    this.probes.clear();
  }

  private childEnds(end: SshEnd): void {
    if (!this.childAlive) return;
    this.childAlive = false;
    if (this.childEnd !== null) this.clock.cancel(this.childEnd);
    this.childEnd = null;
    this.step(`ssh ends ${'code' in end ? end.code : end.signal}`);
    this.deliver({ type: 'SSH_EXITED', end });
  }

  /** News of ssh reaches the supervisor once the world has settled this instant (SIGCHLD). */
  private deliver(news: WorldEvent): void {
    this.undelivered++;
    const tell = (): void => {
      if (this.frozen) {
        this.clock.at(this.thawAtMs, tell);
        return;
      }
      this.undelivered--;
      this.tell(news);
    };
    this.clock.at(this.now(), tell);
  }

  private step(what: string): void {
    if (this.options.recordSteps) this.steps.push(`${this.now()} ${what}`);
  }
}

/**
 * A supervisor on a random world, wired one way: the world tells a relay, and the relay the
 * current supervisor, so a run can be persisted and continued by a fresh supervisor (as after
 * a restart of the process) while the world goes on.
 */
export class SupervisedRandomWorld {
  readonly world: RandomWorld;
  supervisor: Supervisor;

  constructor(
    clock: VirtualClock,
    random: Prng,
    private readonly config: Config,
    options: RandomWorldOptions,
    run?: RunMachine,
  ) {
    this.supervisor = new Supervisor(config, run ? { run } : {});
    this.world = new RandomWorld(clock, random, options, (event) => this.supervisor.tell(event));
  }

  start(): void {
    this.supervisor.start(this.world);
  }

  /** Continue from a persisted snapshot in a fresh supervisor; the world's timers re-armed from it. */
  restore(persisted: Snapshot<unknown>, run?: RunMachine): void {
    for (const timer of ['poll', 'backoff', 'lifetime', 'kill'] as const) this.world.cancelTimer(timer);
    this.supervisor = new Supervisor(this.config, run ? { snapshot: persisted, run } : { snapshot: persisted });
    this.supervisor.resume(this.world);
  }
}
