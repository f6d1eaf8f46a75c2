// The oracle's world, simulated: the scripted fake ssh (exit after D, die by a signal, its
// SIGTERM handling, healthy / blackhole / refuse / slow forwarding, breakAfter), the scenario's
// signals, occupied ports, the pid file, and `-f`. It hosts the real machine through the same
// driver as production and records what the oracle's harness would have seen.
import type { ProbeRequest, Tell } from '../../src/driver/host.js';
import { PROBE_FAILURES, silentTestFailure } from '../../src/machine/decisions/connection-test.js';
import { signalEvent, type SshEnd, type WorldEvent } from '../../src/machine/events.js';
import { SUPERVISOR_SIGNALS, type SupervisorSignal } from '../../src/machine/signals.js';
import { SimulatedHost } from '../simulated-host.js';
import type { TimerId, VirtualClock } from '../virtual-clock.js';
import { SimulationRunaway } from './runaway.js';
import { nodeDefaultDisposition } from './signal-disposition.js';
import { SIM_FAKE_SSH, toPlaceholders, type ForwardMode, type Scenario, type SshBehaviour } from './scenario.js';
import type { TraceRecorder } from './trace.js';

/** how long after the supervisor's end an ssh still alive counts as orphaned (the harness's rule) */
const ORPHAN_GRACE_MS = 400;
/**
 * What a stopped supervisor has yet to hear, at most: each of its timers, its ssh's end, a
 * probe's result and each signal once (the kernel keeps one of each standard signal pending).
 */
const MAX_HELD_EVENTS = 1_000;

interface SimChild {
  n: number;
  behaviour: SshBehaviour;
  alive: boolean;
  mode: ForwardMode;
  signalsReceived: number;
  probes: number;
  timers: TimerId[];
}

/** An oracle scenario's network never changes: the base's (no network watch) stands. */
export class FakeSshWorld extends SimulatedHost {
  private child: SimChild | null = null;
  private readonly probeTimers = new Map<number, TimerId>();
  private alive = true;
  /** SIGSTOPped: what it would hear waits here, in order, until a SIGCONT */
  private held: WorldEvent[] | null = null;
  private daemonized = false;
  /** set when the run is over: the caller stops the clock */
  endedAtMs: number | null = null;

  constructor(
    clock: VirtualClock,
    private readonly scenario: Scenario,
    private readonly trace: TraceRecorder,
    private readonly pidFilePath: string | null,
    tell: Tell,
  ) {
    super(clock, tell);
  }

  /**
   * A dead process hears nothing (its ssh's SIGCHLD, its timers and probes end with it), and a
   * stopped one hears it all once continued.
   */
  protected override tell(event: WorldEvent): void {
    if (!this.alive) return;
    if (this.held === null) {
      super.tell(event);
      return;
    }
    if (this.held.length >= MAX_HELD_EVENTS) throw new SimulationRunaway(`a stopped supervisor holds more than ${MAX_HELD_EVENTS} events`);
    this.held.push(event);
  }

  // --- the run -------------------------------------------------------------------------

  /** `-f`: the launcher exits 0 at once and the daemon carries on (1.4g's daemon()). */
  detach(): void {
    this.trace.record('supervisor_exit', { code: 0 });
    this.trace.record('daemon_detached');
    this.daemonized = true;
  }

  /** The scenario's signals, on the clock; the caller starts the supervisor next. */
  scheduleSignals(): void {
    this.scenario.signals.forEach((s, index) => {
      if (s.at !== undefined) this.clock.at(s.at * 1000, () => this.deliver(index + 1, s.signal));
    });
  }

  // --- SupervisorHost ------------------------------------------------------------------

  override log(level: number, message: string): void {
    this.trace.note(`<${level}> ${message}`);
  }

  override decision(rule: string, detail: string): void {
    this.trace.note(`decision ${rule}: ${detail}`);
  }

  override openMonitorListener(port: number, done: (error: string | null) => void): void {
    done(this.scenario.occupyPorts.includes(port) ? 'Address already in use' : null);
  }

  override writePidFile(): string | null {
    this.trace.record('pidfile_created', { owner: this.daemonized ? 'daemon' : 'supervisor' });
    return null;
  }

  override removePidFile(): void {
    if (this.pidFilePath) this.trace.record('pidfile_removed');
  }

  override spawnSsh(n: number, argv: string[]): void {
    if (argv[0] !== SIM_FAKE_SSH) {
      this.tellSettled({ type: 'SSH_SPAWN_FAILED', error: 'No such file or directory' });
      return;
    }
    const list = this.scenario.ssh;
    const behaviour = list[Math.min(n - 1, list.length - 1)] ?? {};
    const child: SimChild = {
      n, behaviour, alive: true, mode: behaviour.forward ?? 'healthy', signalsReceived: 0, probes: 0, timers: [],
    };
    this.child = child;
    this.trace.record('child_spawn', { n, argv: ['ssh', ...argv.slice(1).map(toPlaceholders)] });
    // the fake's scripted end: `after` defaults to 0 (at once), as in the fake itself
    if (behaviour.exit !== undefined || behaviour.kill !== undefined) {
      child.timers.push(this.clock.after((behaviour.after ?? 0) * 1000, () => {
        if (behaviour.kill !== undefined) this.childEnds(child, { cause: 'self', signal: behaviour.kill });
        else this.childEnds(child, { cause: 'self', code: behaviour.exit! });
      }));
    }
    if (behaviour.breakAfter !== undefined) {
      child.timers.push(this.clock.after(behaviour.breakAfter * 1000, () => {
        child.mode = behaviour.breakMode ?? 'blackhole';
        this.trace.record('forward_mode', { n, mode: child.mode });
      }));
    }
    this.fireTriggered((t) => 'child_spawn' in t && t.child_spawn === n);
  }

  override signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    const child = this.child;
    if (!child?.alive) return;
    if (signal === 'SIGKILL') {
      // the fake cannot report a SIGKILL: no child_exit in the trace
      this.childDies(child, { signal: 'SIGKILL' });
      return;
    }
    const k = ++child.signalsReceived;
    const reaction = child.behaviour.onSigterm ?? 'exit255';
    if (reaction === 'ignore') {
      this.trace.record('child_signal', { n: child.n, k, signal, action: 'ignore' });
    } else if (reaction === 'die') {
      this.trace.record('child_signal', { n: child.n, k, signal, action: 'die' });
      this.childEnds(child, { cause: 'sigterm', signal });
    } else {
      const code = reaction.startsWith('exit:') ? Number(reaction.slice(5)) : 255;
      this.trace.record('child_signal', { n: child.n, k, signal, action: 'exit' });
      this.childEnds(child, { cause: 'sigterm', code });
    }
  }

  override runProbe(request: ProbeRequest): void {
    const child = this.child;
    const { probeId } = request;
    const pass = (afterMs: number): void => this.probeEndsAfter(probeId, afterMs, { type: 'PROBE_PASSED', probeId });
    const fail = (afterMs: number, reason: string): void =>
      this.probeEndsAfter(probeId, afterMs, { type: 'PROBE_FAILED', probeId, reason });
    if (!child?.alive || child.mode === 'refuse') {
      fail(0, PROBE_FAILURES.refused);
      return;
    }
    const i = ++child.probes;
    const silent = silentTestFailure(request.monitor, request.netTimeoutMs);
    const data = `<host> autossh <pid> <id> ${request.testMessage}\r\n`;
    if (child.mode === 'healthy') {
      this.trace.record('probe', { n: child.n, i, data });
      pass(0);
    } else if (child.mode === 'blackhole') {
      this.trace.record('probe', { n: child.n, i });
      fail(silent.afterMs, silent.reason);
    } else {
      const delayMs = (child.behaviour.slowDelay ?? 0) * 1000;
      this.trace.record('probe', { n: child.n, i });
      if (delayMs < silent.afterMs) pass(delayMs);
      else fail(silent.afterMs, silent.reason);
    }
    this.fireTriggered((t) => 'probe' in t && t.probe[0] === child.n && t.probe[1] === i);
  }

  private probeEndsAfter(probeId: number, afterMs: number, result: Parameters<Tell>[0]): void {
    this.probeTimers.set(probeId, this.clock.after(afterMs, () => {
      this.probeTimers.delete(probeId);
      this.tell(result);
    }));
  }

  override cancelProbe(probeId: number): void {
    const id = this.probeTimers.get(probeId);
    if (id !== undefined) this.clock.cancel(id);
    this.probeTimers.delete(probeId);
  }

  /** The fake listens on its -L ports from its start, unless it plays a refusing forward. */
  override awaitEstablished(): void {
    const child = this.child;
    if (child?.alive && child.mode !== 'refuse') this.tellSettled({ type: 'SSH_ESTABLISHED', n: child.n });
  }

  override exit(code: number): void {
    this.ended({ code });
  }

  // --- the world's own doings ------------------------------------------------------------

  private ended(how: { code: number } | { signal: string }): void {
    if (!this.alive) return;
    this.alive = false;
    this.trace.record(this.daemonized ? 'daemon_exit' : 'supervisor_exit', how);
    this.timers.cancelAll();
    const child = this.child;
    this.endedAtMs = this.now() + ORPHAN_GRACE_MS;
    if (child?.alive) {
      this.clock.after(ORPHAN_GRACE_MS, () => {
        if (child.alive) this.trace.record('child_orphaned', { n: child.n });
      });
    }
  }

  private childEnds(child: SimChild, end: { cause: string; code: number } | { cause: string; signal: string }): void {
    if (!child.alive) return;
    this.trace.record('child_exit', { n: child.n, ...end });
    const { cause: _cause, ...status } = end;
    this.childDies(child, status);
  }

  private childDies(child: SimChild, status: SshEnd): void {
    child.alive = false;
    for (const id of child.timers) this.clock.cancel(id);
    this.fireTriggered((t) => 'child_exit' in t && t.child_exit === child.n);
    this.tellSettled({ type: 'SSH_EXITED', end: status });
  }

  private fireTriggered(matches: (trigger: NonNullable<Scenario['signals'][number]['after']>) => boolean): void {
    this.scenario.signals.forEach((s, index) => {
      if (s.after && matches(s.after)) this.clock.after((s.delay ?? 0) * 1000, () => this.deliver(index + 1, s.signal));
    });
  }

  /**
   * A scenario's signal reaches the supervisor (a Node process): the ones autossh-ts handles go to
   * its machine; any other does what it does to a Node process without a handler for it.
   */
  private deliver(i: number, signal: string): void {
    if (!this.alive) return;
    this.trace.record('signal_sent', { i, signal, target: 'supervisor' });
    if ((SUPERVISOR_SIGNALS as readonly string[]).includes(signal)) {
      const event: WorldEvent = { type: signalEvent(signal as SupervisorSignal) };
      // one of each standard signal stays pending while stopped: a second one merges into it
      if (this.held?.some((held) => held.type === event.type)) return;
      this.tell(event);
      return;
    }
    switch (nodeDefaultDisposition(signal)) {
      case 'ignore':
      case 'inspector':
        this.trace.note(`${signal}: ignored (no handler; default action)`);
        return;
      case 'stop':
        if (this.held === null) this.trace.note(`${signal}: stopped until SIGCONT`);
        this.held ??= [];
        return;
      case 'continue':
        this.resume(signal);
        return;
      case 'fatal':
        this.killedBy(signal);
    }
  }

  /** SIGCONT: a stopped supervisor hears, in order, what happened while it was stopped. */
  private resume(signal: string): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    this.trace.note(`${signal}: continued, ${held.length} event(s) were waiting`);
    // after the world has settled this instant, as a SIGCHLD would be heard
    this.clock.at(this.now(), () => {
      for (const event of held) this.tell(event);
    });
  }

  /**
   * The supervisor dies of a signal: nothing more of it is seen (no pid file removal, no
   * decisions). Its ssh goes with it, killed by the kernel (autossh-ts runs ssh under
   * PR_SET_PDEATHSIG=SIGKILL: src/adapters/ssh-child.ts); the fake cannot report a SIGKILL, so
   * the harness sees no child_exit and no orphan.
   */
  private killedBy(signal: string): void {
    this.ended({ signal });
    const child = this.child;
    if (!child?.alive) return;
    child.alive = false;
    for (const id of child.timers) this.clock.cancel(id);
    this.trace.note(`ssh #${child.n} killed with its supervisor (PR_SET_PDEATHSIG)`);
  }
}
