// The real world as a SupervisorHost: ssh as a child process, connection tests on sockets,
// timers on the monotonic clock, the log, the pid file.
import type { ProbeRequest, SupervisorHost } from '../driver/host.js';
import type { Supervisor } from '../driver/supervisor.js';
import type { Config } from '../machine/config/types.js';
import type { TimerName } from '../machine/events.js';
import { RealTimer, monotonicMs } from './clock.js';
import { MonitorListener, runConnectionTest } from './connection-test.js';
import type { Logger } from './logger.js';
import { PidFile } from './pid-file.js';
import { SshChild } from './ssh-child.js';

export class RealHost implements SupervisorHost {
  supervisor: Supervisor | null = null;
  private readonly ssh = new SshChild();
  private readonly timers = new Map<TimerName, RealTimer>();
  private readonly probes = new Map<number, AbortController>();
  private listener: MonitorListener | null = null;
  private readonly pidFile: PidFile | null;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly progName: string,
    private readonly onExit: (code: number) => void,
  ) {
    this.pidFile = config.pidFile ? new PidFile(config.pidFile) : null;
  }

  /** Binding is asynchronous in Node: do it before the supervisor starts. */
  async prepareListener(): Promise<string | null> {
    if (this.config.monitor?.form !== 'loop') return null;
    const listener = new MonitorListener();
    const error = await listener.open(this.config.monitor.readPort);
    if (!error) this.listener = listener;
    return error;
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

  openMonitorListener(): string | null {
    return this.listener ? null : 'listener not prepared';
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

  spawnSsh(n: number, argv: string[]): void {
    this.ssh.start(
      argv,
      (end) => this.supervisor?.childExited(end),
      (message) => this.supervisor?.spawnFailed(message),
    );
    if (this.ssh.pid !== undefined) this.logger.log(6, `ssh child pid is ${this.ssh.pid}`);
    void n;
  }

  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.ssh.signal(signal);
  }

  runProbe(request: ProbeRequest): void {
    const controller = new AbortController();
    this.probes.set(request.probeId, controller);
    runConnectionTest(
      { monitor: request.monitor, netTimeoutMs: request.netTimeoutMs, message: request.message, progName: this.progName },
      this.listener,
      controller.signal,
    )
      .then((result) => {
        if (controller.signal.aborted) return;
        this.probes.delete(request.probeId);
        if (!result.ok) this.logger.log(7, `connection test failed: ${result.reason}`);
        this.supervisor?.probeFinished(request.probeId, result.ok, result.ok ? undefined : result.reason);
      })
      .catch((error: unknown) => {
        this.probes.delete(request.probeId);
        this.supervisor?.probeFinished(request.probeId, false, String(error));
      });
  }

  cancelProbe(probeId: number): void {
    this.probes.get(probeId)?.abort();
    this.probes.delete(probeId);
  }

  armTimer(timer: TimerName, dueMs: number): void {
    let real = this.timers.get(timer);
    if (!real) {
      real = new RealTimer(() => this.supervisor?.timerFired(timer));
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
