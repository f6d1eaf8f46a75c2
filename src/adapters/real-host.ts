// The real world as a SupervisorHost: ssh as a child process, connection tests on sockets,
// timers on the monotonic clock, the log, the pid file. What happens goes to the `tell` sink it
// was built with; it never holds the supervisor.
import type { ProbeRequest, SupervisorHost, Tell } from '../driver/host.js';
import { LOG_DEBUG, LOG_ERR, LOG_INFO } from '../machine/config/log-levels.js';
import type { Config } from '../machine/config/types.js';
import { TIMER_DUE_EVENTS, type TimerName } from '../machine/events.js';
import { RealTimer, monotonicMs } from './clock.js';
import { MonitorListener, runConnectionTest } from './connection-test.js';
import type { Logger } from './logger.js';
import { PidFile } from './pid-file.js';
import { SshChild } from './ssh-child.js';

export class RealHost implements SupervisorHost {
  private readonly ssh = new SshChild();
  private readonly timers = new Map<TimerName, RealTimer>();
  private readonly probes = new Map<number, AbortController>();
  private listener: MonitorListener | null = null;
  private readonly pidFile: PidFile | null;

  constructor(
    config: Config,
    private readonly logger: Logger,
    private readonly progName: string,
    private readonly tell: Tell,
    private readonly onExit: (code: number) => void,
  ) {
    this.pidFile = config.pidFile ? new PidFile(config.pidFile) : null;
  }

  get sshPid(): number | undefined {
    return this.ssh.pid;
  }

  now(): number {
    return monotonicMs();
  }

  log(level: number, message: string): void {
    this.logger.log(level, message);
  }

  startFailed(message: string): void {
    this.logger.log(LOG_ERR, message);
    // the log may be syslog or a file nobody watches: a run that never started says why here too
    process.stderr.write(`${this.progName}: ${message}\n`);
  }

  openMonitorListener(port: number, done: (error: string | null) => void): void {
    const listener = new MonitorListener();
    listener.open(port).then((error) => {
      if (error === null) this.listener = listener;
      done(error);
    }, (error: unknown) => done(String(error)));
  }

  closeMonitorListener(): void {
    this.listener?.close();
    this.listener = null;
  }

  writePidFile(): string | null {
    return this.pidFile?.write() ?? null;
  }

  removePidFile(): void {
    this.pidFile?.remove();
  }

  spawnSsh(_n: number, argv: string[]): void {
    this.ssh.start(argv, {
      onEnd: (end) => this.tell({ type: 'SSH_EXITED', end }),
      onError: (error) => this.tell({ type: 'SSH_SPAWN_FAILED', error }),
    });
    if (this.ssh.pid !== undefined) this.logger.log(LOG_INFO, `ssh child pid is ${this.ssh.pid}`);
  }

  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.ssh.signal(signal);
  }

  runProbe(request: ProbeRequest): void {
    const controller = new AbortController();
    this.probes.set(request.probeId, controller);
    const { probeId } = request;
    runConnectionTest(
      { monitor: request.monitor, netTimeoutMs: request.netTimeoutMs, message: request.message, progName: this.progName },
      this.listener,
      controller.signal,
    )
      .then((result) => {
        if (controller.signal.aborted) return;
        this.probes.delete(probeId);
        if (result.ok) return this.tell({ type: 'PROBE_PASSED', probeId });
        this.logger.log(LOG_DEBUG, `connection test failed: ${result.reason}`);
        this.tell({ type: 'PROBE_FAILED', probeId, reason: result.reason });
      })
      .catch((error: unknown) => {
        this.probes.delete(probeId);
        this.tell({ type: 'PROBE_FAILED', probeId, reason: String(error) });
      });
  }

  cancelProbe(probeId: number): void {
    this.probes.get(probeId)?.abort();
    this.probes.delete(probeId);
  }

  awaitEstablished(_listenPorts: readonly number[], _authLine: boolean): void {
    // the /proc listener check and ssh's stderr reader come with the liveness adapters
  }

  watchNetwork(): void {}

  unwatchNetwork(): void {}

  armTimer(timer: TimerName, dueMs: number): void {
    let real = this.timers.get(timer);
    if (!real) {
      real = new RealTimer(() => this.tell({ type: TIMER_DUE_EVENTS[timer] }));
      this.timers.set(timer, real);
    }
    real.armAt(dueMs);
  }

  cancelTimer(timer: TimerName): void {
    this.timers.get(timer)?.cancel();
  }

  exit(code: number): void {
    for (const timer of this.timers.values()) timer.cancel();
    for (const probe of this.probes.values()) probe.abort();
    this.onExit(code);
  }
}
