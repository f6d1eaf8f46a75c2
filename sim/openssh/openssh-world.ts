// A SupervisorHost whose ssh behaves like OpenSSH's client in a world of network faults. The
// pieces each own one idea: the facts in force (conditions.ts), one ssh's life
// (simulated-ssh.ts), the healthy-poll shortcut (elided-polls.ts), the downtime books
// (downtime.ts). This file wires them to the supervisor: effects in, news out through `tell`.
import type { ProbeRequest, Tell } from '../../src/driver/host.js';
import type { Config } from '../../src/machine/config/types.js';
import { signalEvent, type SshEnd, type TimerName } from '../../src/machine/events.js';
import type { SupervisorSignal } from '../../src/machine/signals.js';
import { SimulatedHost } from '../simulated-host.js';
import type { TimerId, VirtualClock } from '../virtual-clock.js';
import type { Fact, WorldParams } from '../timeline/types.js';
import { Conditions } from './conditions.js';
import { DowntimeBooks } from './downtime.js';
import { ElidedPolls } from './elided-polls.js';
import { SimulatedSsh } from './simulated-ssh.js';
import { readSshOptions, type SshOptions } from './ssh-options.js';

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

export interface WorldOptions {
  /**
   * Skip the machine's round trip for a connection test the world knows will pass, and run
   * the next one where the chain of passing tests would have put it. Exact (same decisions, same
   * times); off when AUTOSSH_MAXLIFETIME shortens the last poll.
   */
  elideHealthyPolls: boolean;
}

export class OpensshWorld extends SimulatedHost {
  readonly conditions = new Conditions();
  private readonly ssh: SimulatedSsh;
  private readonly elide: boolean;
  private readonly elided = new ElidedPolls();
  private readonly books: DowntimeBooks;
  /** when the path last stopped being ok: where ssh's death timers count from */
  private pathBrokenSinceMs = 0;
  private probeTimer: TimerId | null = null;
  /** the supervisor waits to hear that the current ssh's session is up (D9) */
  private awaitingEstablishment = false;
  /** the supervisor waits to hear that the network came back (D11) */
  private watchingNetwork = false;

  sshStarts = 0;
  exitCode: number | null = null;
  exitAtMs: number | null = null;

  constructor(
    clock: VirtualClock,
    private readonly config: Config,
    params: WorldParams,
    tell: Tell,
    private readonly observer: WorldObserver | null = null,
    options: WorldOptions = { elideHealthyPolls: true },
    sshOptions?: SshOptions,
  ) {
    super(clock, tell);
    this.elide = options.elideHealthyPolls && config.maxLifetimeSeconds === 0;
    this.books = new DowntimeBooks(clock.now());
    this.ssh = new SimulatedSsh(clock, this.conditions, params, sshOptions ?? readSshOptions(config.sshArgv), {
      up: (n) => this.sshUp(n),
      ended: (n, end, why) => this.sshEnded(n, end, why),
      // autossh reads these lines on ssh's stderr (D10)
      forwardFailed: (n, ports) => {
        for (const port of ports) this.tell({ type: 'REMOTE_FORWARD_FAILED', n, port });
      },
    });
  }

  get done(): boolean {
    return this.exitCode !== null;
  }

  get downtimeMs(): number {
    return this.books.downtimeMs;
  }

  isWorking(): boolean {
    return this.books.isWorking;
  }

  /** Close the downtime books at the end of the run. */
  finish(atMs: number): void {
    this.books.close(atMs);
  }

  // --- facts of the world ------------------------------------------------------------------

  begin(fact: Fact): void {
    if (fact.kind === 'sshCrash') {
      this.ssh.end(fact.signal ? { signal: fact.signal } : { code: fact.exitCode ?? 255 }, 'crashed');
      return;
    }
    if (fact.kind === 'signal') {
      this.resumePolls();
      this.tell({ type: signalEvent(fact.signal as SupervisorSignal) });
      return;
    }
    const before = this.conditions.path();
    this.conditions.apply(fact, 1);
    if (before === 'ok' && this.conditions.path() !== 'ok') this.pathBrokenSinceMs = this.clock.now();
    if ((fact.kind === 'outage' && fact.mode === 'reset') || fact.kind === 'serverRestart') {
      if (this.ssh.sessionCut(fact.kind === 'serverRestart' ? 'serverRestart' : 'reset')) return;
    }
    if (fact.kind === 'outage' && fact.mode === 'stale-flows') this.ssh.flowsLost();
    this.reassess();
  }

  end(fact: Fact): void {
    if (fact.kind === 'sshCrash' || fact.kind === 'signal') return;
    this.conditions.apply(fact, -1);
    this.reassess();
    // D11: the link is back; a supervisor watching the network hears it (netlink's RTM_NEWLINK)
    if (fact.kind === 'outage' && fact.mode === 'link' && this.conditions.linksDown === 0 && this.watchingNetwork) {
      this.tell({ type: 'NETWORK_CHANGED', detail: 'link up' });
    }
  }

  // --- SupervisorHost ----------------------------------------------------------------------

  override log(level: number, message: string): void {
    this.observer?.log?.(level, message, this.clock.now());
  }

  override decision(rule: string, detail: string): void {
    this.observer?.decision?.(rule, detail, this.clock.now());
  }

  override spawnSsh(n: number): void {
    this.sshStarts++;
    this.observer?.sshStarted?.(n, this.clock.now());
    this.ssh.start(n);
  }

  override signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.ssh.signal(signal);
  }

  override runProbe(request: ProbeRequest): void {
    const outcome = this.ssh.carryTest(request.monitor, request.netTimeoutMs);
    const { probeId } = request;
    this.probeTimer = this.clock.after(outcome.afterMs, () => {
      this.probeTimer = null;
      this.tell(outcome.ok ? { type: 'PROBE_PASSED', probeId } : { type: 'PROBE_FAILED', probeId, reason: outcome.reason });
    });
  }

  override cancelProbe(): void {
    if (this.probeTimer !== null) this.clock.cancel(this.probeTimer);
    this.probeTimer = null;
  }

  /** ssh listens on its forwards (or logs "Authenticated to") once its session is up. */
  override awaitEstablished(): void {
    this.awaitingEstablishment = true;
    if (this.ssh.up) this.tellEstablished();
  }

  override watchNetwork(): void {
    this.watchingNetwork = true;
  }

  override unwatchNetwork(): void {
    this.watchingNetwork = false;
  }

  override armTimer(timer: TimerName, dueMs: number): void {
    if (timer === 'poll') this.elided.drop();
    super.armTimer(timer, dueMs);
  }

  override cancelTimer(timer: TimerName): void {
    if (timer === 'poll') this.elided.drop();
    super.cancelTimer(timer);
  }

  override exit(code: number): void {
    this.exitCode = code;
    this.exitAtMs = this.clock.now();
    this.elided.drop();
    this.timers.cancelAll();
    this.cancelProbe();
    this.observer?.exited?.(code, this.exitAtMs);
  }

  // --- the supervisor's timers --------------------------------------------------------------

  protected override timerDue(timer: TimerName): void {
    const monitor = this.config.monitor;
    if (timer === 'poll' && this.elide && monitor && this.ssh.testWouldPass(monitor, this.config.netTimeoutMs)) {
      this.elided.begin(this.clock.now(), this.ssh.testRoundTripMs() + this.config.pollSeconds * 1000);
      return;
    }
    super.timerDue(timer);
  }

  /** The world changed: an elided chain of tests ends at its next link, which runs for real. */
  private resumePolls(): void {
    const dueMs = this.elided.end(this.clock.now());
    if (dueMs !== null) this.timers.arm('poll', dueMs);
  }

  // --- the current ssh ------------------------------------------------------------------------

  /** The conditions changed, or the session just came up: settle the current ssh's fate. */
  private reassess(): void {
    this.resumePolls();
    this.ssh.reassess(this.pathBrokenSinceMs);
    this.updateWorking();
  }

  private sshUp(n: number): void {
    this.observer?.sshUp?.(n, this.clock.now());
    if (this.awaitingEstablishment) this.tellEstablished();
    this.reassess();
  }

  private tellEstablished(): void {
    this.awaitingEstablishment = false;
    this.tell({ type: 'SSH_ESTABLISHED', n: this.ssh.number });
  }

  private sshEnded(n: number, end: SshEnd, why: string): void {
    this.awaitingEstablishment = false;
    this.resumePolls();
    this.updateWorking();
    this.observer?.sshEnded?.(n, this.clock.now(), end, why);
    this.tellSettled({ type: 'SSH_EXITED', end });
  }

  private updateWorking(): void {
    const now = this.clock.now();
    if (this.books.update(this.ssh.working, now)) this.observer?.workingChanged?.(this.books.isWorking, now);
  }
}
