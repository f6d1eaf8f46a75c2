// What every simulated world shares as a SupervisorHost: its clock is a virtual clock, the
// machine's timers are named timers on it, and it has no listener or pid file that could fail, no
// network that changes and no log to keep, unless a world says otherwise by overriding. What
// each world must decide for itself is left abstract: its ssh, its connection tests, its end.
import type { ProbeRequest, SupervisorHost, Tell } from '../src/driver/host.js';
import { LOG_ERR } from '../src/machine/config/log-levels.js';
import { TIMER_DUE_EVENTS, type TimerName, type WorldEvent } from '../src/machine/events.js';
import { NamedTimers } from './named-timers.js';
import type { VirtualClock } from './virtual-clock.js';

export abstract class SimulatedHost implements SupervisorHost {
  protected readonly timers: NamedTimers;

  constructor(
    protected readonly clock: VirtualClock,
    /** where the supervisor hears what happens here */
    private readonly sink: Tell,
  ) {
    this.timers = new NamedTimers(clock, (timer) => this.timerDue(timer));
  }

  // --- what a world must decide ----------------------------------------------------------

  abstract spawnSsh(n: number, argv: string[]): void;
  abstract signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void;
  abstract awaitEstablished(listenPorts: readonly number[], authLine: boolean): void;
  abstract runProbe(request: ProbeRequest): void;
  abstract cancelProbe(probeId: number): void;
  abstract exit(code: number): void;

  // --- how news reaches the supervisor ---------------------------------------------------

  /** Everything the supervisor hears goes through here: a world that holds or drops news overrides it. */
  protected tell(event: WorldEvent): void {
    this.sink(event);
  }

  /** News heard once the world has settled this instant, as a SIGCHLD would be. */
  protected tellSettled(event: WorldEvent): void {
    this.clock.at(this.clock.now(), () => this.tell(event));
  }

  /** One of the machine's timers fell due: heard at once unless a world delays or skips it. */
  protected timerDue(timer: TimerName): void {
    this.tell({ type: TIMER_DUE_EVENTS[timer] });
  }

  // --- what every world shares unless it says otherwise ----------------------------------

  now(): number {
    return this.clock.now();
  }

  log(_level: number, _message: string): void {}

  decision(_rule: string, _detail: string): void {}

  startFailed(message: string): void {
    this.log(LOG_ERR, message);
  }

  openMonitorListener(_port: number, done: (error: string | null) => void): void {
    done(null);
  }

  closeMonitorListener(): void {}

  writePidFile(): string | null {
    return null;
  }

  removePidFile(): void {}

  /** The network never changes unless a world makes it. */
  watchNetwork(): void {}

  unwatchNetwork(): void {}

  armTimer(timer: TimerName, dueMs: number): void {
    this.timers.arm(timer, dueMs);
  }

  cancelTimer(timer: TimerName): void {
    this.timers.cancel(timer);
  }
}
