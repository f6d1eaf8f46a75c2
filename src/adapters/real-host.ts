// The real world as a SupervisorHost: ssh as a child process, connection tests on sockets, the
// log, and the liveness rules' evidence: ssh's listeners in /proc and its stderr lines (D9), its
// forward failures (D10), the network coming back (D11). Start-up (listener, pid file) and the
// timers are parts of their own (./real-start-up.ts, ./real-timers.ts). What happens goes to the
// `tell` sink it was built with; it never holds the supervisor.
import type { ProbeRequest, SupervisorHost, Tell } from '../driver/host.js';
import { LOG_DEBUG, LOG_ERR, LOG_INFO } from '../machine/config/log-levels.js';
import type { Config } from '../machine/config/types.js';
import { failedRemoteForwardPort } from '../machine/decisions/forward-retry.js';
import type { TimerName } from '../machine/events.js';
import { monotonicMs } from './clock.js';
import { runConnectionTest } from './connection-test.js';
import type { Logger } from './logger.js';
import { NetworkWatch } from './network-watch.js';
import { RealStartUp } from './real-start-up.js';
import { RealTimers } from './real-timers.js';
import { AuthLineWatch, ListenerWatch } from './session-evidence.js';
import { SshChild } from './ssh-child.js';

export class RealHost implements SupervisorHost {
  /** the start number of the ssh running now (or last) */
  private sshNumber = 0;
  private readonly ssh = new SshChild();
  private readonly timers: RealTimers;
  private readonly probes = new Map<number, AbortController>();
  private readonly startUp: RealStartUp;
  /** D9: the current ssh is awaited; its listener is looked for, or its "Authenticated to" line */
  private awaiting: { listeners: ListenerWatch | null; authLine: AuthLineWatch | null } | null = null;
  /** `ssh -G` failed once already: said once, not at every start */
  private saidNoPeer = false;
  /** D11: runs while a backoff wait does */
  private readonly network: NetworkWatch;
  /** ssh's stderr is read only when a rule needs its words; otherwise ssh writes it itself */
  private readonly readsStderr: boolean;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly progName: string,
    private readonly tell: Tell,
    private readonly onExit: (code: number) => void,
  ) {
    this.startUp = new RealStartUp(config.pidFile);
    this.timers = new RealTimers(tell);
    // D10 needs ssh's words only for a tunnel that asks for a remote forward (a -R port)
    const forwardWords = config.forwardCheck && config.remoteForwardPorts.length > 0;
    this.readsStderr = forwardWords || (config.connectSeconds > 0 && config.evidence.authLine);
    this.network = new NetworkWatch((detail) => this.tell({ type: 'NETWORK_CHANGED', detail }));
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
    process.stderr.write(`${this.progName}: ${this.logger.label(message)}\n`);
  }

  decision(rule: string, detail: string): void {
    // json logs carry the rule on the line it came with; 1.4g's text lines have no place for it
    this.logger.decision(rule, detail);
  }

  openMonitorListener(port: number, done: (error: string | null) => void): void {
    this.startUp.openMonitorListener(port, done);
  }

  closeMonitorListener(): void {
    this.startUp.closeMonitorListener();
  }

  writePidFile(): string | null {
    return this.startUp.writePidFile();
  }

  removePidFile(): void {
    this.startUp.removePidFile();
  }

  spawnSsh(n: number, argv: string[]): void {
    this.stopAwaiting();
    this.sshNumber = n;
    this.ssh.start(argv, {
      onEnd: (end) => {
        this.stopAwaiting();
        this.tell({ type: 'SSH_EXITED', end });
      },
      onError: (error, errno) => {
        this.stopAwaiting();
        this.tell({ type: 'SSH_SPAWN_FAILED', error, errno });
      },
      // each line names the ssh that said it: it may be read after that ssh's end was told
      onStderrLine: this.readsStderr ? (line) => this.sshSaid(n, line) : null,
    });
    if (this.ssh.pid !== undefined) this.logger.log(LOG_INFO, `ssh child pid is ${this.ssh.pid}`);
  }

  /** A line of the current ssh's stderr (it was passed on to ours already). */
  private sshSaid(n: number, line: string): void {
    if (n === this.sshNumber) this.awaiting?.authLine?.said(line);
    if (!this.config.forwardCheck) return;
    const port = failedRemoteForwardPort(line);
    if (port !== null) this.tell({ type: 'REMOTE_FORWARD_FAILED', n, port });
  }

  signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.ssh.signal(signal);
  }

  runProbe(request: ProbeRequest): void {
    const controller = new AbortController();
    this.probes.set(request.probeId, controller);
    const { probeId } = request;
    runConnectionTest(
      { monitor: request.monitor, netTimeoutMs: request.netTimeoutMs, testMessage: request.testMessage, progName: this.progName },
      this.startUp.listener,
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

  awaitEstablished(listenPorts: readonly number[], authLine: boolean): void {
    this.stopAwaiting();
    const pid = this.ssh.pid;
    if (pid === undefined || !this.ssh.running) return; // it never started, or ended already
    // a pid is reused only after its end is told: the check is for this very ssh
    const stillThisSsh = (): boolean => this.ssh.running && this.ssh.pid === pid;
    const listeners =
      listenPorts.length > 0
        ? new ListenerWatch(pid, listenPorts, () => {
            if (stillThisSsh()) this.established();
          })
        : null;
    const lines =
      authLine && this.readsStderr
        ? new AuthLineWatch(this.config.sshArgv, () => {
            if (stillThisSsh()) this.established();
          }, (why) => this.noPeer(why))
        : null;
    this.awaiting = { listeners, authLine: lines };
  }

  /** The current ssh showed its session is up: told once, then no more looking. */
  private established(): void {
    if (this.awaiting === null) return;
    this.stopAwaiting();
    this.tell({ type: 'SSH_ESTABLISHED', n: this.sshNumber });
  }

  /** `ssh -G` could not say where ssh connects: no line can be told to be ssh's own. */
  private noPeer(why: string): void {
    if (this.saidNoPeer) return;
    this.saidNoPeer = true;
    this.logger.log(LOG_ERR, `cannot tell ssh's own "Authenticated to" line: ${this.config.sshPath} -G failed (${why}); without a -L/-D port, no session is seen (D9)`);
  }

  private stopAwaiting(): void {
    this.awaiting?.listeners?.stop();
    this.awaiting?.authLine?.stop();
    this.awaiting = null;
  }

  watchNetwork(): void {
    this.network.start();
  }

  unwatchNetwork(): void {
    this.network.stop();
  }

  armTimer(timer: TimerName, dueMs: number): void {
    this.timers.armTimer(timer, dueMs);
  }

  cancelTimer(timer: TimerName): void {
    this.timers.cancelTimer(timer);
  }

  exit(code: number): void {
    this.timers.cancelAll();
    for (const probe of this.probes.values()) probe.abort();
    this.stopAwaiting();
    this.network.stop();
    this.onExit(code);
  }
}
