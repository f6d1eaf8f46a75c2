// A seeded, adversarial world for one supervisor: ssh runs for a random time and ends with a
// random status or signal, may ignore SIGTERM, may fail to start; connection tests pass, fail
// or hang; the supervisor itself may be frozen (time jumps). It checks the supervisor's invariants where they live, as each effect arrives.
// Used by the property tests and the benchmarks; many of them can share one clock.
import type { RunMachine } from '../src/driver/machine-runner.js';
import { Supervisor } from '../src/driver/supervisor.js';
import type { ProbeRequest, SupervisorHost } from '../src/driver/host.js';
import type { Config } from '../src/machine/config/types.js';
import type { TimerName } from '../src/machine/events.js';
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
  supervisor: Supervisor | null = null;
  readonly violations: string[] = [];
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
    private readonly config: Config,
    private readonly options: RandomWorldOptions,
    /** how the supervisor runs its machine: its own actor, or a fleet's shared scope */
    private readonly run?: RunMachine,
  ) {
    this.timers = new NamedTimers(clock, (timer) => {
      // still armed while frozen, so the supervisor can cancel it in the burst after the thaw
      if (this.frozen) this.timers.arm(timer, this.thawAtMs);
      else this.supervisor?.timerFired(timer);
    });
  }

  start(): void {
    this.supervisor = Supervisor.start(this, this.config, [], this.run);
  }

  signal(signal: SupervisorSignal): void {
    if (this.exitCode !== null) return;
    if (this.frozen) {
      this.clock.at(this.thawAtMs, () => this.signal(signal));
      return;
    }
    this.step(`signal ${signal}`);
    this.supervisor?.signal(signal);
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

  openMonitorListener(): string | null {
    return null;
  }

  closeMonitorListener(): void {}

  writePidFile(): string | null {
    return null;
  }

  removePidFile(): void {}

  spawnSsh(n: number): void {
    if (this.exitCode !== null) this.violate('ssh started after the exit decision');
    if (this.childAlive) this.violate('a second ssh started while one is alive');
    const { maxStart } = this.config;
    if (maxStart >= 0 && n > maxStart) this.violate(`start ${n} beyond AUTOSSH_MAXSTART=${maxStart}`);
    this.starts = n;
    const o = this.options;
    if (this.random.next() < o.spawnFailChance) {
      this.step(`spawn ${n} failed`);
      this.deliver(() => this.supervisor?.spawnFailed('No such file or directory'));
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
    if (request.netTimeoutMs <= 0) this.violate('a connection test with no time limit');
    const ok = this.random.next() >= o.probeFailChance;
    const tookMs = Math.round(this.random.next() * Math.min(o.maxProbeMs, 2 * request.netTimeoutMs));
    const finish = (): void => {
      if (this.frozen) {
        this.probes.set(request.probeId, this.clock.at(this.thawAtMs, finish));
        return;
      }
      this.probes.delete(request.probeId);
      this.supervisor?.probeFinished(request.probeId, ok, ok ? undefined : 'random failure');
    };
    this.probes.set(request.probeId, this.clock.after(tookMs, finish));
  }

  cancelProbe(probeId: number): void {
    const id = this.probes.get(probeId);
    if (id !== undefined) this.clock.cancel(id);
    this.probes.delete(probeId);
  }

  armTimer(timer: TimerName, dueMs: number): void {
    if (timer === 'backoff' && dueMs - this.now() > this.config.pollSeconds * 1000) {
      this.violate(`backoff of ${dueMs - this.now()} ms exceeds POLL=${this.config.pollSeconds} s`);
    }
    this.timers.arm(timer, dueMs);
  }

  cancelTimer(timer: TimerName): void {
    this.timers.cancel(timer);
  }

  exit(code: number): void {
    if (this.childAlive) this.violate('exit while ssh is still alive');
    this.step(`exit ${code}`);
    this.exitCode = code;
    this.exitedAtMs = this.now();
    this.timers.cancelAll();
    for (const id of this.probes.values()) this.clock.cancel(id);
    this.probes.clear();
  }

  private childEnds(end: { code: number } | { signal: string }): void {
    if (!this.childAlive) return;
    this.childAlive = false;
    if (this.childEnd !== null) this.clock.cancel(this.childEnd);
    this.childEnd = null;
    this.step(`ssh ends ${'code' in end ? end.code : end.signal}`);
    this.deliver(() => this.supervisor?.childExited(end));
  }

  private deliver(news: () => void): void {
    this.undelivered++;
    const tell = (): void => {
      if (this.frozen) {
        this.clock.at(this.thawAtMs, tell);
        return;
      }
      this.undelivered--;
      news();
    };
    this.clock.at(this.now(), tell);
  }

  private step(what: string): void {
    if (this.options.recordSteps) this.steps.push(`${this.now()} ${what}`);
  }

  private violate(what: string): void {
    this.violations.push(`${this.now()} ms: ${what}`);
  }
}
