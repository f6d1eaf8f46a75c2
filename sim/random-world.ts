// A seeded, adversarial world for one supervisor: ssh runs for a random time and ends with a
// random status or signal, may ignore SIGTERM, may fail to start; connection tests pass, fail
// or hang; the supervisor itself may be frozen (time jumps). With `session` options, ssh may
// establish its session late or never, may be refused its remote forwards, and the network may
// change while the supervisor watches it (the liveness rules, D9-D11). The driver asserts the
// supervisor's invariants as each effect passes (src/driver/invariants.ts).
// Used by the property tests and the benchmarks; many of them can share one clock.
import type { Snapshot } from 'xstate';
import type { ProbeRequest, Tell } from '../src/driver/host.js';
import type { RunMachine } from '../src/driver/machine-runner.js';
import { Supervisor } from '../src/driver/supervisor.js';
import type { Config } from '../src/machine/config/types.js';
import { silentTestFailure } from '../src/machine/decisions/connection-test.js';
import { TIMER_DUE_EVENTS, signalEvent, type SshEnd, type TimerName, type WorldEvent } from '../src/machine/events.js';
import type { SupervisorSignal } from '../src/machine/signals.js';
import type { Prng } from './fleet/prng.js';
import { SimulatedHost } from './simulated-host.js';
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
  /** of the failed starts, the share that fail for now (EMFILE: retried) rather than for good (D7) */
  transientSpawnFailShare?: number;
  probeFailChance: number;
  /** a test takes up to this long */
  maxProbeMs: number;
  /** record every externally visible step (spawns, exits, signals, exit) for determinism checks */
  recordSteps: boolean;
  /** how ssh's session comes up, and the network around it; without: up at once, nothing else */
  session?: SessionOptions;
}

/** The liveness rules' side of the world (D9-D11). */
export interface SessionOptions {
  /** chance that an ssh ever shows its session is up */
  establishChance: number;
  /** one that does shows it up to this long after its start (uniform) */
  maxEstablishMs: number;
  /** chance that, as its session comes up, the server refuses ssh's remote forward */
  forwardFailChance: number;
  /** chance that such an ssh exits 255 with it (ExitOnForwardFailure=yes), rather than only warning */
  exitOnForwardFailureChance: number;
  /** while the supervisor watches the network, changes come at this mean interval (Poisson); 0 = never */
  meanNetworkChangeMs: number;
  /**
   * an ssh that exits on its refused forward is reaped before its stderr line is read (a real
   * host may see them in this order: Node's 'exit' can come before the last 'data')
   */
  forwardLineAfterExit?: boolean;
}

/**
 * The remote port the random world's forward failures name: the tunnel's own with `-R 2222:...`,
 * another's (as a server's banner may name any) without it, which D10 must ignore.
 */
export const RANDOM_WORLD_REMOTE_PORT = 2222;

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

export class RandomWorld extends SimulatedHost {
  readonly steps: string[] = [];
  starts = 0;
  exitCode: number | null = null;
  exitedAtMs: number | null = null;
  private childAlive = false;
  private childIgnoresTerm = false;
  private childEnd: TimerId | null = null;
  /** the current ssh's session coming up (and its forward failure), when due */
  private childSession: TimerId | null = null;
  private childUp = false;
  /** the supervisor asked to hear when the current ssh's session is up */
  private awaitingEstablishment = false;
  /** the next network change, while the supervisor watches */
  private networkChange: TimerId | null = null;
  /** when the armed backoff wait ends: recorded with each network change */
  private backoffDueMs: number | null = null;
  private readonly probes = new Map<number, TimerId>();
  /** ssh ends and failed starts queued on the clock but not yet told to the supervisor */
  private undelivered = 0;
  /** the supervisor is frozen until then (see freeze) */
  private thawAtMs = 0;

  constructor(
    clock: VirtualClock,
    private readonly random: Prng,
    private readonly options: RandomWorldOptions,
    tell: Tell,
  ) {
    super(clock, tell);
  }

  protected override timerDue(timer: TimerName): void {
    // still armed while frozen, so the supervisor can cancel it in the burst after the thaw
    if (this.frozen) this.timers.arm(timer, this.thawAtMs);
    else super.timerDue(timer);
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

  /** the machine's decisions, by rule, as steps: which rules a run exercised */
  override decision(rule: string): void {
    this.step(`decision ${rule}`);
  }

  override spawnSsh(n: number): void {
    this.starts = n;
    const o = this.options;
    if (this.random.next() < o.spawnFailChance) {
      // drawn only when asked for: worlds without it make the same draws as before
      if ((o.transientSpawnFailShare ?? 0) > 0 && this.random.next() < o.transientSpawnFailShare!) {
        this.step(`spawn ${n} failed for now`);
        this.deliver({ type: 'SSH_SPAWN_FAILED', error: 'spawn EMFILE', errno: 'EMFILE' });
        return;
      }
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
    this.childUp = false;
    this.awaitingEstablishment = false;
    this.planSession(n);
  }

  /** When (if ever) this ssh's session comes up, and whether its remote forward is refused then. */
  private planSession(n: number): void {
    const s = this.options.session;
    if (s === undefined) {
      this.childUp = true; // up at once
      return;
    }
    const establishes = this.random.next() < s.establishChance;
    const afterMs = Math.round(this.random.next() * s.maxEstablishMs);
    const forwardFails = this.random.next() < s.forwardFailChance;
    const exitsOnIt = this.random.next() < s.exitOnForwardFailureChance;
    if (!establishes) return;
    this.childSession = this.clock.after(afterMs, () => {
      this.childSession = null;
      const port = RANDOM_WORLD_REMOTE_PORT;
      if (forwardFails && exitsOnIt) {
        // "Error: remote port forwarding failed for listen port N", exit 255: the line first
        this.step(`ssh ${n} refused its forward, exits`);
        if (s.forwardLineAfterExit) {
          this.childEnds({ code: 255 });
          this.deliver({ type: 'REMOTE_FORWARD_FAILED', n, port });
        } else {
          this.deliver({ type: 'REMOTE_FORWARD_FAILED', n, port });
          this.childEnds({ code: 255 });
        }
        return;
      }
      this.step(`ssh ${n} up`);
      this.childUp = true;
      if (this.awaitingEstablishment) this.establishedNews();
      if (forwardFails) {
        this.step(`ssh ${n} refused its forward, stays up`);
        this.deliver({ type: 'REMOTE_FORWARD_FAILED', n, port });
      }
    });
  }

  private establishedNews(): void {
    this.awaitingEstablishment = false;
    this.deliver({ type: 'SSH_ESTABLISHED', n: this.starts });
  }

  override signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (!this.childAlive) return;
    this.step(`ssh gets ${signal}`);
    if (signal === 'SIGKILL') this.childEnds({ signal: 'SIGKILL' });
    else if (!this.childIgnoresTerm) this.childEnds({ code: 255 });
  }

  override runProbe(request: ProbeRequest): void {
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

  override cancelProbe(probeId: number): void {
    const id = this.probes.get(probeId);
    if (id !== undefined) this.clock.cancel(id);
    this.probes.delete(probeId);
  }

  /** Told once the current ssh's session is up: at once if it is, later if it comes up, never if not. */
  override awaitEstablished(): void {
    if (!this.childAlive) return;
    if (this.childUp) this.establishedNews();
    else this.awaitingEstablishment = true;
  }

  /** While watched, the network changes now and then (a Poisson process). */
  override watchNetwork(): void {
    this.unwatchNetwork();
    this.step('watching the network');
    this.planNetworkChange();
  }

  override unwatchNetwork(): void {
    if (this.networkChange !== null) this.clock.cancel(this.networkChange);
    this.networkChange = null;
  }

  private planNetworkChange(): void {
    const meanMs = this.options.session?.meanNetworkChangeMs ?? 0;
    if (meanMs <= 0) return;
    this.networkChange = this.clock.after(Math.max(1, Math.round(this.random.exponential(meanMs))), () => {
      this.networkChange = null;
      this.step(`network changed (backoff due ${this.backoffDueMs ?? 'none'})`);
      this.deliver({ type: 'NETWORK_CHANGED', detail: 'link up' });
      this.planNetworkChange();
    });
  }

  override armTimer(timer: TimerName, dueMs: number): void {
    if (timer === 'backoff') this.backoffDueMs = dueMs;
    super.armTimer(timer, dueMs);
  }

  override cancelTimer(timer: TimerName): void {
    if (timer === 'backoff') this.backoffDueMs = null;
    super.cancelTimer(timer);
  }

  override exit(code: number): void {
    this.step(`exit ${code}`);
    this.exitCode = code;
    this.exitedAtMs = this.now();
    this.timers.cancelAll();
    this.unwatchNetwork();
    for (const id of this.probes.values()) this.clock.cancel(id);
    this.probes.clear();
  }

  private childEnds(end: SshEnd): void {
    if (!this.childAlive) return;
    this.childAlive = false;
    if (this.childEnd !== null) this.clock.cancel(this.childEnd);
    this.childEnd = null;
    if (this.childSession !== null) this.clock.cancel(this.childSession);
    this.childSession = null;
    this.childUp = false;
    this.awaitingEstablishment = false;
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
    for (const timer of Object.keys(TIMER_DUE_EVENTS) as TimerName[]) this.world.cancelTimer(timer);
    this.supervisor = new Supervisor(this.config, run ? { snapshot: persisted, run } : { snapshot: persisted });
    this.supervisor.resume(this.world);
  }
}
