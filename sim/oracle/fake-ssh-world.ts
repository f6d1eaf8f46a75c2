// The oracle's world, simulated: the scripted fake ssh (exit after D, die by a signal, its
// SIGTERM handling, healthy / blackhole / refuse / slow forwarding, breakAfter), the scenario's
// signals, occupied ports, the pid file, and `-f`. It hosts the real machine through the same
// driver as production and records what the oracle's harness would have seen.
import type { ProbeRequest, SupervisorHost, Tell } from '../../src/driver/host.js';
import { PROBE_FAILURES, silentTestFailure } from '../../src/machine/decisions/connection-test.js';
import { TIMER_DUE_EVENTS, signalEvent, type SshEnd, type TimerName } from '../../src/machine/events.js';
import { SUPERVISOR_SIGNALS, type SupervisorSignal } from '../../src/machine/signals.js';
import { NamedTimers } from '../named-timers.js';
import type { TimerId, VirtualClock } from '../virtual-clock.js';
import { SIM_FAKE_SSH, toPlaceholders, type ForwardMode, type Scenario, type SshBehaviour } from './scenario.js';
import type { TraceRecorder } from './trace.js';

/** how long after the supervisor's end an ssh still alive counts as orphaned (the harness's rule) */
const ORPHAN_GRACE_MS = 400;

interface SimChild {
  n: number;
  behaviour: SshBehaviour;
  alive: boolean;
  mode: ForwardMode;
  signalsReceived: number;
  probes: number;
  timers: TimerId[];
}

export class FakeSshWorld implements SupervisorHost {
  private child: SimChild | null = null;
  private readonly timers: NamedTimers;
  private readonly probeTimers = new Map<number, TimerId>();
  private alive = true;
  private daemonized = false;
  /** set when the run is over: the caller stops the clock */
  endedAtMs: number | null = null;

  constructor(
    private readonly clock: VirtualClock,
    private readonly scenario: Scenario,
    private readonly trace: TraceRecorder,
    private readonly pidFilePath: string | null,
    /** where the supervisor hears what happens here */
    private readonly tell: Tell,
  ) {
    this.timers = new NamedTimers(clock, (timer) => this.tell({ type: TIMER_DUE_EVENTS[timer] }));
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

  now(): number {
    return this.clock.now();
  }

  log(level: number, message: string): void {
    this.trace.note(`<${level}> ${message}`);
  }

  startFailed(message: string): void {
    this.log(3, message);
  }

  decision(rule: string, detail: string): void {
    this.trace.note(`decision ${rule}: ${detail}`);
  }

  openMonitorListener(port: number, done: (error: string | null) => void): void {
    done(this.scenario.occupyPorts.includes(port) ? 'Address already in use' : null);
  }

  closeMonitorListener(): void {}

  writePidFile(): string | null {
    this.trace.record('pidfile_created', { owner: this.daemonized ? 'daemon' : 'supervisor' });
    return null;
  }

  removePidFile(): void {
    if (this.pidFilePath) this.trace.record('pidfile_removed');
  }

  spawnSsh(n: number, argv: string[]): void {
    if (argv[0] !== SIM_FAKE_SSH) {
      this.clock.at(this.now(), () => this.tell({ type: 'SSH_SPAWN_FAILED', error: 'No such file or directory' }));
      return;
    }
    const list = this.scenario.ssh;
    const behaviour = list[Math.min(n - 1, list.length - 1)] ?? {};
    const child: SimChild = {
      n, behaviour, alive: true, mode: behaviour.forward ?? 'healthy', signalsReceived: 0, probes: 0, timers: [],
    };
    this.child = child;
    this.trace.record('child_spawn', { n, argv: ['ssh', ...argv.slice(1).map(toPlaceholders)] });
    if (behaviour.after !== undefined && (behaviour.exit !== undefined || behaviour.kill !== undefined)) {
      child.timers.push(this.clock.after(behaviour.after * 1000, () => {
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

  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
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

  runProbe(request: ProbeRequest): void {
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
    const data = `<host> autossh <pid> <id> ${request.message}\r\n`;
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

  cancelProbe(probeId: number): void {
    const id = this.probeTimers.get(probeId);
    if (id !== undefined) this.clock.cancel(id);
    this.probeTimers.delete(probeId);
  }

  /** The fake listens on its -L ports from its start, unless it plays a refusing forward. */
  awaitEstablished(): void {
    const child = this.child;
    if (child?.alive && child.mode !== 'refuse') this.clock.at(this.now(), () => this.tell({ type: 'SSH_ESTABLISHED', n: child.n }));
  }

  /** An oracle scenario's network never changes. */
  watchNetwork(): void {}

  unwatchNetwork(): void {}

  armTimer(timer: TimerName, dueMs: number): void {
    this.timers.arm(timer, dueMs);
  }

  cancelTimer(timer: TimerName): void {
    this.timers.cancel(timer);
  }

  exit(code: number): void {
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
    // SIGCHLD reaches the supervisor at once, after the world has settled this instant
    this.clock.at(this.now(), () => this.tell({ type: 'SSH_EXITED', end: status }));
  }

  private fireTriggered(matches: (trigger: NonNullable<Scenario['signals'][number]['after']>) => boolean): void {
    this.scenario.signals.forEach((s, index) => {
      if (s.after && matches(s.after)) this.clock.after((s.delay ?? 0) * 1000, () => this.deliver(index + 1, s.signal));
    });
  }

  private deliver(i: number, signal: string): void {
    if (!this.alive) return;
    this.trace.record('signal_sent', { i, signal, target: 'supervisor' });
    if ((SUPERVISOR_SIGNALS as readonly string[]).includes(signal)) {
      this.tell({ type: signalEvent(signal as SupervisorSignal) });
      return;
    }
    // any other signal has its default action: the supervisor dies of it, and the real
    // autossh-ts's ssh goes with it (it is tied to its parent's life)
    this.ended({ signal });
    const child = this.child;
    if (child?.alive) this.childDies(child, { signal: 'SIGKILL' });
  }
}
