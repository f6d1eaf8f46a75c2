// A SupervisorHost whose ssh behaves like OpenSSH's client in a world of network faults. One
// ssh at a time, one pending step for it (the next connect retry, the end of the handshake, or
// its death), so a tunnel costs a few hundred bytes besides the machine. Every modelled
// OpenSSH behaviour is named next to the code that models it; docs/timeline-format.md lists
// them for users.
//
// The phases of one ssh:
//   connecting ─SYN answered─▶ handshaking ─KEX+auth done─▶ up ─(fault)─▶ exit 255
//        │ refused / timed out      │ auth fails, remote port bound + ExitOnForwardFailure
//        └──────────── exit 255 ◀───┘
import type { RunMachine } from '../../src/driver/machine-runner.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import type { ProbeRequest, SupervisorHost } from '../../src/driver/host.js';
import type { Config, Notice } from '../../src/machine/config/types.js';
import type { TimerName } from '../../src/machine/events.js';
import type { SupervisorSignal } from '../../src/machine/signals.js';
import type { TimerId, VirtualClock } from '../virtual-clock.js';
import type { Fact, WorldParams } from '../timeline/types.js';
import { Conditions } from './conditions.js';
import { readSshOptions, type SshOptions } from './ssh-options.js';
import { KEEPALIVE_GIVE_UP_MS, RETRANSMIT_GIVE_UP_MS, SYN_GIVE_UP_MS, SYN_SEND_OFFSETS_MS } from './tcp.js';

/** Key exchange and auth take about this many round trips: extra latency slows them by as much. */
const HANDSHAKE_ROUND_TRIPS = 4;

export type SshEnd = { code: number } | { signal: string };

/** What a replay or a fleet wants to hear about; every method optional. */
export interface WorldObserver {
  workingChanged?(working: boolean, atMs: number): void;
  sshStarted?(n: number, atMs: number): void;
  sshUp?(n: number, atMs: number): void;
  sshEnded?(n: number, atMs: number, end: SshEnd, why: string): void;
  decision?(rule: string, detail: string, atMs: number): void;
  log?(level: number, message: string, atMs: number): void;
  exited?(code: number, atMs: number): void;
}

const enum Phase { None, Connecting, Handshaking, Stalled, Up }

export interface WorldOptions {
  /**
   * Skip the machine's round trip for a connection test the world knows will pass, and run
   * the next one where the chain of passing tests would have put it. Exact (same decisions, same
   * times); off when AUTOSSH_MAXLIFETIME shortens the last poll.
   */
  elideHealthyPolls: boolean;
  /** how the supervisor runs its machine: its own actor unless a fleet shares one scope */
  run?: RunMachine;
}

export class OpensshWorld implements SupervisorHost {
  readonly conditions = new Conditions();
  private supervisor: Supervisor | null = null;
  private readonly ssh: SshOptions;
  private readonly elide: boolean;

  // the current ssh
  private childN = 0;
  private phase = Phase.None;
  private connectStartMs = 0;
  private synTry = 0;
  private childStep: TimerId | null = null;
  private childDeathMs = Infinity;
  private forwardsBroken = false;
  /** when the path last stopped being ok, for the death timers */
  private pathBrokenSinceMs = 0;

  // the supervisor's timers and its test in flight
  private backoffTimer: TimerId | null = null;
  private pollTimer: TimerId | null = null;
  private lifetimeTimer: TimerId | null = null;
  private killTimer: TimerId | null = null;
  private probeTimer: TimerId | null = null;
  /** an elided chain of passing tests: the next would be at pollPhaseMs + k * pollPeriodMs */
  private pollPhaseMs = -1;
  private pollPeriodMs = 0;

  // what came of it
  sshStarts = 0;
  exitCode: number | null = null;
  exitAtMs: number | null = null;
  downtimeMs = 0;
  private working = false;
  private lastChangeMs: number;
  private readonly run: RunMachine | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly config: Config,
    private readonly params: WorldParams,
    private readonly observer: WorldObserver | null = null,
    options: WorldOptions = { elideHealthyPolls: true },
    sshOptions?: SshOptions,
  ) {
    this.ssh = sshOptions ?? readSshOptions(config.sshArgv);
    this.elide = options.elideHealthyPolls && config.maxLifetimeSeconds === 0;
    this.run = options.run;
    this.lastChangeMs = clock.now();
  }

  launch(notices: readonly Notice[] = []): void {
    this.supervisor = Supervisor.start(this, this.config, notices, this.run);
  }

  get done(): boolean {
    return this.exitCode !== null;
  }

  isWorking(): boolean {
    return this.working;
  }

  /** Close the downtime books at the end of the run. */
  finish(atMs: number): void {
    if (!this.working) this.downtimeMs += atMs - this.lastChangeMs;
    this.lastChangeMs = atMs;
  }

  // --- facts of the world ------------------------------------------------------------------

  begin(fact: Fact): void {
    const now = this.clock.now();
    if (fact.kind === 'sshCrash') {
      if (this.phase !== Phase.None) this.childEnds(fact.signal ? { signal: fact.signal } : { code: fact.exitCode ?? 255 }, 'crashed');
      return;
    }
    if (fact.kind === 'signal') {
      this.resumePolls();
      this.supervisor?.signal(fact.signal as SupervisorSignal);
      return;
    }
    const before = this.conditions.path();
    this.conditions.apply(fact, 1);
    if (before === 'ok' && this.conditions.path() !== 'ok') this.pathBrokenSinceMs = now;
    if (this.phase === Phase.Up) {
      // OpenSSH: a RST from the peer, or the server's sshd closing the session on shutdown,
      // ends ssh at once: "Connection reset by peer" / "Connection closed by remote host", 255.
      if ((fact.kind === 'outage' && fact.mode === 'reset') || fact.kind === 'serverRestart') {
        this.childEnds({ code: 255 }, fact.kind === 'serverRestart' ? 'Connection closed by remote host' : 'Connection reset by peer');
        return;
      }
    }
    this.reassess();
  }

  end(fact: Fact): void {
    if (fact.kind === 'sshCrash' || fact.kind === 'signal') return;
    this.conditions.apply(fact, -1);
    this.reassess();
  }

  // --- SupervisorHost ----------------------------------------------------------------------

  now(): number {
    return this.clock.now();
  }

  log(level: number, message: string): void {
    this.observer?.log?.(level, message, this.clock.now());
  }

  decision(rule: string, detail: string): void {
    this.observer?.decision?.(rule, detail, this.clock.now());
  }

  openMonitorListener(): string | null {
    return null;
  }

  closeMonitorListener(): void {}

  writePidFile(): string | null {
    return null;
  }

  removePidFile(): void {}

  spawnSsh(n: number): void {
    this.childN = n;
    this.sshStarts++;
    this.connectStartMs = this.clock.now();
    this.synTry = 0;
    this.forwardsBroken = false;
    this.observer?.sshStarted?.(n, this.connectStartMs);
    this.phase = Phase.Connecting;
    this.trySyn();
  }

  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.phase === Phase.None) return;
    // OpenSSH catches SIGTERM and exits 255 ("Killed by signal 15."); SIGKILL cannot be caught.
    this.childEnds(signal === 'SIGKILL' ? { signal: 'SIGKILL' } : { code: 255 }, `autossh sent ${signal}`);
  }

  runProbe(request: ProbeRequest): void {
    const loop = request.monitor.form === 'loop';
    // 1.4g's loop form gives up after one timed-out wait for the reply's accept; the echo form
    // waits for the connection, then for the reply: up to twice the net timeout.
    const giveUpMs = loop ? request.netTimeoutMs : 2 * request.netTimeoutMs;
    const finish = (afterMs: number, ok: boolean, reason?: string): void => {
      this.probeTimer = this.clock.after(afterMs, () => {
        this.probeTimer = null;
        this.supervisor?.probeFinished(request.probeId, ok, reason);
      });
    };
    if (this.phase !== Phase.Up) {
      // ssh listens on its -L ports only once the session is up
      finish(0, false, 'Connection refused');
      return;
    }
    const path = this.conditions.path();
    if (path === 'blackhole') {
      // the test's bytes sit in ssh's send queue: without ServerAlive, TCP gives up on them
      if (this.ssh.serverAliveIntervalSeconds === 0) this.scheduleDeath(this.clock.now() + RETRANSMIT_GIVE_UP_MS, 'Broken pipe');
      finish(giveUpMs, false, loop ? 'timeout polling to accept read connection' : 'timeout on io poll');
      return;
    }
    if (path === 'refuse') {
      // the channel open meets a RST: ssh ends ("Connection reset by peer"), no reply comes back
      this.scheduleDeath(this.clock.now() + this.rttMs(), 'Connection reset by peer');
      finish(giveUpMs, false, loop ? 'timeout polling to accept read connection' : 'timeout on io poll');
      return;
    }
    if (loop && this.forwardsBroken) {
      // the server's -R port belongs to someone else: the loop never comes back
      finish(giveUpMs, false, 'timeout polling to accept read connection');
      return;
    }
    const roundTripMs = this.probeRoundTripMs();
    if (roundTripMs < giveUpMs) finish(roundTripMs, true);
    else finish(giveUpMs, false, loop ? 'timeout polling to accept read connection' : 'timeout on io poll');
  }

  cancelProbe(): void {
    if (this.probeTimer !== null) this.clock.cancel(this.probeTimer);
    this.probeTimer = null;
  }

  armTimer(timer: TimerName, dueMs: number): void {
    this.cancelTimer(timer);
    const id = this.clock.at(dueMs, () => this.timerDue(timer, dueMs));
    switch (timer) {
      case 'backoff': this.backoffTimer = id; return;
      case 'poll': this.pollTimer = id; return;
      case 'lifetime': this.lifetimeTimer = id; return;
      case 'kill': this.killTimer = id; return;
    }
  }

  cancelTimer(timer: TimerName): void {
    const id = timer === 'backoff' ? this.backoffTimer : timer === 'poll' ? this.pollTimer
      : timer === 'lifetime' ? this.lifetimeTimer : this.killTimer;
    if (id !== null) this.clock.cancel(id);
    if (timer === 'backoff') this.backoffTimer = null;
    else if (timer === 'poll') { this.pollTimer = null; this.pollPhaseMs = -1; }
    else if (timer === 'lifetime') this.lifetimeTimer = null;
    else this.killTimer = null;
  }

  exit(code: number): void {
    this.exitCode = code;
    this.exitAtMs = this.clock.now();
    for (const timer of ['backoff', 'poll', 'lifetime', 'kill'] as const) this.cancelTimer(timer);
    this.cancelProbe();
    this.observer?.exited?.(code, this.exitAtMs);
  }

  // --- the supervisor's timers ------------------------------------------------------------------

  private timerDue(timer: TimerName, dueMs: number): void {
    if (timer === 'poll') {
      this.pollTimer = null;
      if (this.elide && this.probeWouldPass()) {
        // remember the chain instead of running it: each test passes after one round trip,
        // then the machine arms the next POLL seconds later
        this.pollPhaseMs = dueMs;
        this.pollPeriodMs = this.probeRoundTripMs() + this.config.pollSeconds * 1000;
        return;
      }
    } else if (timer === 'backoff') this.backoffTimer = null;
    else if (timer === 'lifetime') this.lifetimeTimer = null;
    else this.killTimer = null;
    this.supervisor?.timerFired(timer);
  }

  /** The world changed: an elided chain of tests ends at its next link, which runs for real. */
  private resumePolls(): void {
    if (this.pollPhaseMs < 0) return;
    const now = this.clock.now();
    const links = Math.ceil((now - this.pollPhaseMs) / this.pollPeriodMs);
    const dueMs = this.pollPhaseMs + links * this.pollPeriodMs;
    this.pollPhaseMs = -1;
    this.pollTimer = this.clock.at(dueMs, () => this.timerDue('poll', dueMs));
  }

  private probeWouldPass(): boolean {
    if (this.phase !== Phase.Up || this.conditions.path() !== 'ok') return false;
    const monitor = this.config.monitor;
    if (!monitor || (monitor.form === 'loop' && this.forwardsBroken)) return false;
    const giveUpMs = monitor.form === 'loop' ? this.config.netTimeoutMs : 2 * this.config.netTimeoutMs;
    return this.probeRoundTripMs() < giveUpMs;
  }

  // --- one ssh's life ---------------------------------------------------------------------------

  private rttMs(): number {
    return this.params.rttMs + this.conditions.latencyAddMs;
  }

  /** -L connect, channel open to the server, its connect back through -R (or to echo), the reply */
  private probeRoundTripMs(): number {
    return 2 * this.rttMs();
  }

  private connectLimitMs(): number {
    // ConnectTimeout bounds connect(); the kernel's SYN retries end at 127 s anyway
    const limit = this.ssh.connectTimeoutSeconds;
    return limit === null ? SYN_GIVE_UP_MS : Math.min(limit * 1000, SYN_GIVE_UP_MS);
  }

  private trySyn(): void {
    const now = this.clock.now();
    const path = this.conditions.path();
    if (path === 'refuse') {
      this.stepAt(now + this.rttMs(), () => this.childEnds({ code: 255 }, 'connect: Connection refused'));
      return;
    }
    if (path === 'ok') {
      const rtt = this.rttMs();
      if (now + rtt - this.connectStartMs > this.connectLimitMs()) {
        this.stepAt(this.connectStartMs + this.connectLimitMs(), () => this.childEnds({ code: 255 }, 'connect: Connection timed out'));
        return;
      }
      this.stepAt(now + rtt, () => this.startHandshake());
      return;
    }
    // blackhole: the SYN is lost; retry on the kernel's schedule, give up at the limit
    const next = SYN_SEND_OFFSETS_MS[++this.synTry];
    const giveUpMs = this.connectStartMs + this.connectLimitMs();
    if (next === undefined || this.connectStartMs + next >= giveUpMs) {
      this.stepAt(giveUpMs, () => this.childEnds({ code: 255 }, 'connect: Connection timed out'));
    } else {
      this.stepAt(this.connectStartMs + next, () => this.trySyn());
    }
  }

  private startHandshake(): void {
    this.phase = Phase.Handshaking;
    this.stepAt(this.clock.now() + this.params.handshakeMs + HANDSHAKE_ROUND_TRIPS * this.conditions.latencyAddMs, () => this.handshakeDone());
  }

  private handshakeDone(): void {
    this.childStep = null;
    const path = this.conditions.path();
    if (path === 'refuse') {
      this.childEnds({ code: 255 }, 'Connection reset by peer');
      return;
    }
    if (path === 'blackhole') {
      // the exchange stalls; ConnectTimeout also bounds the banner exchange, else TCP does
      this.phase = Phase.Stalled;
      const limit = this.ssh.connectTimeoutSeconds;
      const deadMs = limit !== null ? Math.max(this.clock.now(), this.connectStartMs + limit * 1000) : this.clock.now() + RETRANSMIT_GIVE_UP_MS;
      this.stepAt(deadMs, () => this.childEnds({ code: 255 }, 'Connection timed out during banner exchange'));
      return;
    }
    if (this.conditions.authFailures > 0) {
      // "Permission denied (publickey)." and 255, like a lost connection: only 1.4g's gate
      // (a first ssh that ends within AUTOSSH_GATETIME) tells them apart
      this.childEnds({ code: 255 }, 'Permission denied (publickey)');
      return;
    }
    if (this.conditions.portsBound > 0 && this.ssh.remoteForwards > 0) {
      if (this.ssh.exitOnForwardFailure) {
        this.childEnds({ code: 255 }, 'Error: remote port forwarding failed for listen port');
        return;
      }
      // without ExitOnForwardFailure ssh only warns, stays up, and never retries the forward
      this.forwardsBroken = true;
    }
    this.phase = Phase.Up;
    this.observer?.sshUp?.(this.childN, this.clock.now());
    this.reassess();
  }

  /** The conditions changed, or the session just came up: settle the current ssh's fate. */
  private reassess(): void {
    this.resumePolls();
    const path = this.conditions.path();
    if (this.phase === Phase.Stalled && path === 'ok') {
      this.clearStep();
      this.startHandshake();
    } else if (this.phase === Phase.Up) {
      const intervalMs = this.ssh.serverAliveIntervalSeconds * 1000;
      const aliveLimitMs = intervalMs * this.ssh.serverAliveCountMax;
      if (path === 'blackhole' || (intervalMs > 0 && this.rttMs() >= aliveLimitMs)) {
        // ServerAliveInterval: after CountMax unanswered keepalives "Timeout, server not
        // responding", 255; ssh(1) gives this as Interval x CountMax (15 x 3 = 45 s). Without
        // it only TCP keepalive notices an idle dead peer.
        const since = path === 'blackhole' ? this.pathBrokenSinceMs : this.clock.now();
        this.scheduleDeath(since + (intervalMs > 0 ? aliveLimitMs : KEEPALIVE_GIVE_UP_MS), 'Timeout, server not responding');
      } else if (path === 'refuse') {
        // the next packet ssh sends meets a RST: the first keepalive, else TCP keepalive's
        // (a connection test dies sooner: see runProbe)
        this.scheduleDeath(this.pathBrokenSinceMs + (intervalMs > 0 ? intervalMs : KEEPALIVE_GIVE_UP_MS), 'Connection reset by peer');
      } else if (this.childStep !== null) {
        // the path came back before ssh gave up: TCP retransmits and the session carries on
        this.clearStep();
      }
    }
    this.updateWorking();
  }

  private scheduleDeath(atMs: number, why: string): void {
    if (this.childStep !== null && this.childDeathMs <= atMs) return;
    this.stepAt(atMs, () => this.childEnds({ code: 255 }, why));
    this.childDeathMs = atMs;
  }

  private stepAt(atMs: number, fn: () => void): void {
    this.clearStep();
    this.childStep = this.clock.at(atMs, () => {
      this.childStep = null;
      this.childDeathMs = Infinity;
      fn();
    });
  }

  private clearStep(): void {
    if (this.childStep !== null) this.clock.cancel(this.childStep);
    this.childStep = null;
    this.childDeathMs = Infinity;
  }

  private childEnds(end: SshEnd, why: string): void {
    if (this.phase === Phase.None) return;
    const n = this.childN;
    this.clearStep();
    this.phase = Phase.None;
    this.forwardsBroken = false;
    this.resumePolls();
    this.updateWorking();
    this.observer?.sshEnded?.(n, this.clock.now(), end, why);
    // SIGCHLD reaches the supervisor once the world has settled this instant
    this.clock.at(this.clock.now(), () => this.supervisor?.childExited(end));
  }

  private updateWorking(): void {
    const working = this.phase === Phase.Up && this.conditions.path() === 'ok' && !this.forwardsBroken;
    if (working === this.working) return;
    const now = this.clock.now();
    if (!this.working) this.downtimeMs += now - this.lastChangeMs;
    this.working = working;
    this.lastChangeMs = now;
    this.observer?.workingChanged?.(working, now);
  }
}
