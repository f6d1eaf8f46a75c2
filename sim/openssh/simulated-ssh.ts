// One OpenSSH client's life in a world of network faults: the TCP connect, the handshake, the
// session, and how it dies. One pending step at a time (the next connect retry, the end of the
// handshake, or its death), so a tunnel costs a few hundred bytes besides the machine. Every
// modelled OpenSSH behaviour is named next to the code that models it; docs/timeline-format.md
// lists them for users.
//
//   connecting ─SYN answered─▶ handshaking ─KEX+auth done─▶ up ─(fault)─▶ exit 255
//        │ refused / timed out /    │ auth fails, remote port bound + ExitOnForwardFailure
//        │ network unreachable      │ silence: stalled ─(path back)─▶ handshaking
//        └──────────── exit 255 ◀───┘
//
// Its own connection can die apart from the network: a path that forgets its flows
// (`stale-flows`) leaves it silent for good while new connections work (see flowsLost).
import type { Monitor } from '../../src/machine/config/types.js';
import { PROBE_FAILURES, silentTestFailure } from '../../src/machine/decisions/connection-test.js';
import type { SshEnd } from '../../src/machine/events.js';
import type { TimerId, VirtualClock } from '../virtual-clock.js';
import type { WorldParams } from '../timeline/types.js';
import { isSilent, type Conditions, type PathState } from './conditions.js';
import type { SshOptions } from './ssh-options.js';
import { KEEPALIVE_GIVE_UP_MS, RETRANSMIT_GIVE_UP_MS, SYN_GIVE_UP_MS, SYN_SEND_OFFSETS_MS } from './tcp.js';

/** Key exchange and auth take about this many round trips: extra latency slows them by as much. */
const HANDSHAKE_ROUND_TRIPS = 4;

const enum Phase { None, Connecting, Handshaking, Stalled, Up }

/** What the world hears of an ssh's life. */
export interface SshLifeEvents {
  up(n: number): void;
  ended(n: number, end: SshEnd, why: string): void;
  /** ssh said "remote port forwarding failed for listen port N" for each of these ports */
  forwardFailed(n: number, ports: readonly number[]): void;
}

/** How a connection test carried through this ssh's forward ends. */
export type TestOutcome = { afterMs: number; ok: true } | { afterMs: number; ok: false; reason: string };

export class SimulatedSsh {
  private n = 0;
  private phase = Phase.None;
  private connectStartMs = 0;
  private synTry = 0;
  private step: TimerId | null = null;
  private deathMs = Infinity;
  /** the server's -R port belonged to someone else and ssh only warned (no ExitOnForwardFailure) */
  private forwardsBroken = false;
  /** since when this ssh's own connection is dead for good (the path forgot it); null: alive */
  private flowDeadSinceMs: number | null = null;

  constructor(
    private readonly clock: VirtualClock,
    private readonly conditions: Conditions,
    private readonly params: WorldParams,
    private readonly options: SshOptions,
    private readonly events: SshLifeEvents,
  ) {}

  /** this ssh's start number */
  get number(): number {
    return this.n;
  }

  get alive(): boolean {
    return this.phase !== Phase.None;
  }

  /** the session is up and every forward it asked for works */
  get working(): boolean {
    return this.phase === Phase.Up && this.pathNow() === 'ok' && !this.forwardsBroken;
  }

  start(n: number): void {
    this.n = n;
    this.connectStartMs = this.clock.now();
    this.synTry = 0;
    this.forwardsBroken = false;
    this.flowDeadSinceMs = null;
    this.phase = Phase.Connecting;
    this.trySyn();
  }

  /** OpenSSH catches SIGTERM and exits 255 ("Killed by signal 15."); SIGKILL cannot be caught. */
  signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (!this.alive) return;
    this.end(signal === 'SIGKILL' ? { signal: 'SIGKILL' } : { code: 255 }, `autossh sent ${signal}`);
  }

  end(end: SshEnd, why: string): void {
    if (!this.alive) return;
    this.clearStep();
    this.phase = Phase.None;
    this.forwardsBroken = false;
    this.flowDeadSinceMs = null;
    this.events.ended(this.n, end, why);
  }

  /**
   * A reset, or the server shutting down: an established session ends at once. Not one whose
   * flow the path forgot: the RST or FIN is dropped on the way like everything else. Whether it ended.
   */
  sessionCut(kind: 'reset' | 'serverRestart'): boolean {
    if (this.phase !== Phase.Up || this.flowDeadSinceMs !== null) return false;
    // OpenSSH: a RST from the peer, or the server's sshd closing the session on shutdown,
    // ends ssh at once: "Connection reset by peer" / "Connection closed by remote host", 255.
    this.end({ code: 255 }, kind === 'serverRestart' ? 'Connection closed by remote host' : 'Connection reset by peer');
    return true;
  }

  /**
   * The path forgot its flows (a NAT or stateful firewall lost its state, the public address
   * changed behind carrier NAT): this ssh's TCP connection, once it has one, is dead for good.
   * Nothing tells ssh: its packets vanish, and only ServerAlive, TCP's own limits or autossh
   * (a failed test, AUTOSSH_CONNECTTIME) end it. A connect still waiting for its SYN's answer
   * is a new flow, judged when it is answered (see connected).
   */
  flowsLost(): void {
    if (this.phase === Phase.None || this.phase === Phase.Connecting || this.flowDeadSinceMs !== null) return;
    this.flowDeadSinceMs = this.clock.now();
  }

  get up(): boolean {
    return this.phase === Phase.Up;
  }

  /** The conditions changed, or the session just came up: settle this ssh's fate. */
  reassess(pathBrokenSinceMs: number): void {
    const path = this.pathNow();
    if (this.phase === Phase.Stalled && path === 'ok') {
      this.clearStep();
      this.startHandshake();
    } else if (this.phase === Phase.Up) {
      const intervalMs = this.options.serverAliveIntervalSeconds * 1000;
      const aliveLimitMs = intervalMs * this.options.serverAliveCountMax;
      if (isSilent(path) || (intervalMs > 0 && this.rttMs() >= aliveLimitMs)) {
        // ServerAliveInterval: after CountMax unanswered keepalives "Timeout, server not
        // responding", 255; ssh(1) gives this as Interval x CountMax (15 x 3 = 45 s). Without
        // it only TCP keepalive notices an idle dead peer.
        const since = isSilent(path) ? this.silentSinceMs(pathBrokenSinceMs) : this.clock.now();
        this.scheduleDeath(since + (intervalMs > 0 ? aliveLimitMs : KEEPALIVE_GIVE_UP_MS), 'Timeout, server not responding');
      } else if (path === 'refuse') {
        // the next packet ssh sends meets a RST: the first keepalive, else TCP keepalive's
        // (a connection test dies sooner: see carryTest)
        this.scheduleDeath(pathBrokenSinceMs + (intervalMs > 0 ? intervalMs : KEEPALIVE_GIVE_UP_MS), 'Connection reset by peer');
      } else if (this.step !== null) {
        // the path came back before ssh gave up: TCP retransmits and the session carries on
        this.clearStep();
      }
    }
  }

  /** A connection test sent through this ssh's forwards: how it ends, and what it does to ssh. */
  carryTest(monitor: Monitor, netTimeoutMs: number): TestOutcome {
    const silent = silentTestFailure(monitor, netTimeoutMs);
    if (this.phase !== Phase.Up) {
      // ssh listens on its -L ports only once the session is up
      return { afterMs: 0, ok: false, reason: PROBE_FAILURES.refused };
    }
    const path = this.pathNow();
    if (isSilent(path)) {
      // the test's bytes sit in ssh's send queue: without ServerAlive, TCP gives up on them
      if (this.options.serverAliveIntervalSeconds === 0) this.scheduleDeath(this.clock.now() + RETRANSMIT_GIVE_UP_MS, 'Broken pipe');
      return { afterMs: silent.afterMs, ok: false, reason: silent.reason };
    }
    if (path === 'refuse') {
      // the channel open meets a RST: ssh ends ("Connection reset by peer"), no reply comes back
      this.scheduleDeath(this.clock.now() + this.rttMs(), 'Connection reset by peer');
      return { afterMs: silent.afterMs, ok: false, reason: silent.reason };
    }
    if (monitor.form === 'loop' && this.forwardsBroken) {
      // the server's -R port belongs to someone else: the loop never comes back
      return { afterMs: silent.afterMs, ok: false, reason: PROBE_FAILURES.acceptTimedOut };
    }
    const roundTripMs = this.testRoundTripMs();
    return roundTripMs < silent.afterMs ? { afterMs: roundTripMs, ok: true } : { afterMs: silent.afterMs, ok: false, reason: silent.reason };
  }

  /** Whether a test sent now would pass: what lets the world skip a passing test's round trip. */
  testWouldPass(monitor: Monitor, netTimeoutMs: number): boolean {
    if (this.phase !== Phase.Up || this.pathNow() !== 'ok') return false;
    if (monitor.form === 'loop' && this.forwardsBroken) return false;
    return this.testRoundTripMs() < silentTestFailure(monitor, netTimeoutMs).afterMs;
  }

  /** -L connect, channel open to the server, its connect back through -R (or to echo), the reply */
  testRoundTripMs(): number {
    return 2 * this.rttMs();
  }

  /** What this ssh's packets meet now: the network's path, or silence once its own flow is dead. */
  private pathNow(): PathState {
    return this.flowDeadSinceMs !== null ? 'blackhole' : this.conditions.path();
  }

  /** Since when this ssh has heard nothing: its flow's death, or the path's, whichever came first. */
  private silentSinceMs(pathBrokenSinceMs: number): number {
    const pathSilentSinceMs = isSilent(this.conditions.path()) ? pathBrokenSinceMs : Infinity;
    return Math.min(pathSilentSinceMs, this.flowDeadSinceMs ?? Infinity);
  }

  private rttMs(): number {
    return this.params.rttMs + this.conditions.latencyAddMs;
  }

  private connectLimitMs(): number {
    // ConnectTimeout bounds connect(); the kernel's SYN retries end at 127 s anyway
    const limit = this.options.connectTimeoutSeconds;
    return limit === null ? SYN_GIVE_UP_MS : Math.min(limit * 1000, SYN_GIVE_UP_MS);
  }

  private trySyn(): void {
    const now = this.clock.now();
    const path = this.conditions.path();
    if (path === 'unreachable') {
      // no route: connect() fails at once, ENETUNREACH ("connect to host ...: Network is unreachable")
      this.stepAt(now, () => this.end({ code: 255 }, 'connect: Network is unreachable'));
      return;
    }
    if (path === 'refuse') {
      this.stepAt(now + this.rttMs(), () => this.end({ code: 255 }, 'connect: Connection refused'));
      return;
    }
    if (path === 'ok') {
      const rtt = this.rttMs();
      if (now + rtt - this.connectStartMs > this.connectLimitMs()) {
        this.stepAt(this.connectStartMs + this.connectLimitMs(), () => this.end({ code: 255 }, 'connect: Connection timed out'));
        return;
      }
      this.stepAt(now + rtt, () => this.connected());
      return;
    }
    // blackhole: the SYN is lost; retry on the kernel's schedule, give up at the limit
    const next = SYN_SEND_OFFSETS_MS[++this.synTry];
    const giveUpMs = this.connectStartMs + this.connectLimitMs();
    if (next === undefined || this.connectStartMs + next >= giveUpMs) {
      this.stepAt(giveUpMs, () => this.end({ code: 255 }, 'connect: Connection timed out'));
    } else {
      this.stepAt(this.connectStartMs + next, () => this.trySyn());
    }
  }

  /** The SYN was answered: a new flow. A path still forgetting its flows forgets this one too. */
  private connected(): void {
    if (this.conditions.staleFlows > 0) this.flowDeadSinceMs = this.clock.now();
    this.startHandshake();
  }

  private startHandshake(): void {
    this.phase = Phase.Handshaking;
    this.stepAt(this.clock.now() + this.params.handshakeMs + HANDSHAKE_ROUND_TRIPS * this.conditions.latencyAddMs, () => this.handshakeDone());
  }

  private handshakeDone(): void {
    this.step = null;
    const path = this.pathNow();
    if (path === 'refuse') {
      this.end({ code: 255 }, 'Connection reset by peer');
      return;
    }
    if (isSilent(path)) {
      // the exchange stalls (until the path returns; for good if this flow is dead); ConnectTimeout
      // also bounds the banner exchange, else TCP does. ServerAlive only runs once the session is
      // up: nothing else in ssh ends a stalled key exchange.
      this.phase = Phase.Stalled;
      const limit = this.options.connectTimeoutSeconds;
      const deadMs = limit !== null ? Math.max(this.clock.now(), this.connectStartMs + limit * 1000) : this.clock.now() + RETRANSMIT_GIVE_UP_MS;
      this.stepAt(deadMs, () => this.end({ code: 255 }, 'Connection timed out during banner exchange'));
      return;
    }
    if (this.conditions.authFailures > 0) {
      // "Permission denied (publickey)." and 255, like a lost connection: only 1.4g's gate
      // (a first ssh that ends within AUTOSSH_GATETIME) tells them apart
      this.end({ code: 255 }, 'Permission denied (publickey)');
      return;
    }
    const n = this.n;
    const ports = this.options.remoteListenPorts;
    if (this.conditions.portsBound > 0 && this.options.remoteForwards > 0) {
      if (this.options.exitOnForwardFailure) {
        // OpenSSH's ssh_confirm_remote_forward: fatal at the first refused forward, exit 255.
        // What autossh reads on ssh's stderr is told with the exit, before its SIGCHLD.
        this.end({ code: 255 }, `Error: remote port forwarding failed for listen port ${ports[0] ?? 0}`);
        if (ports.length > 0) this.events.forwardFailed(n, ports.slice(0, 1));
        return;
      }
      // without ExitOnForwardFailure ssh only warns ("Warning: remote port forwarding failed for
      // listen port N", one line per forward), stays up, and never retries the forward
      this.forwardsBroken = true;
    }
    this.phase = Phase.Up;
    this.events.up(n);
    if (this.forwardsBroken && ports.length > 0 && this.alive && this.n === n) this.events.forwardFailed(n, ports);
  }

  private scheduleDeath(atMs: number, why: string): void {
    if (this.step !== null && this.deathMs <= atMs) return;
    this.stepAt(atMs, () => this.end({ code: 255 }, why));
    this.deathMs = atMs;
  }

  private stepAt(atMs: number, fn: () => void): void {
    this.clearStep();
    this.step = this.clock.at(atMs, () => {
      this.step = null;
      this.deathMs = Infinity;
      fn();
    });
  }

  private clearStep(): void {
    if (this.step !== null) this.clock.cancel(this.step);
    this.step = null;
    this.deathMs = Infinity;
  }
}
