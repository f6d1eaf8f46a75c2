// The daemon: every tunnel of one file in one process, each exactly a drop-in's run (its own
// machine, the shared driver, a RealHost, ssh our child that dies with us), plus what only a
// daemon does: reload without touching unchanged tunnels, one answer to a signal for all.
//
// Signals (the daemon's, not forwarded to tunnels one by one):
// - SIGTERM, SIGINT (and SIGQUIT, SIGABRT, as D6): each tunnel's machine gets the signal, as the
//   drop-in's would (ssh SIGTERMed, SIGKILLed after its AUTOSSH_KILLTIME); once every tunnel has
//   ended the daemon exits 1, as 1.4g does on SIGTERM (a unit says SuccessExitStatus=1). A second
//   one goes to every machine again: D4, SIGKILL at once.
// - SIGHUP: reload (./reload.ts). Reloads run one at a time; a SIGHUP during one queues one
//   more, however many come.
// - SIGUSR1: every tunnel's machine gets it, as the drop-in's would: each running ssh is killed
//   and restarted, each backoff wait ends now (D1), and each restart wait too (the next run starts
//   now). An operator's "reconnect everything now".
// - SIGUSR2: ignored, as by the drop-in.
// A run of a tunnel's machine that ends (MAXSTART used up, its lifetime reached, ssh exited 0, a
// listener it could not bind) is followed by another as the tunnel's restart policy says
// (./daemon-tunnel.ts); a tunnel the policy does not restart is logged and shows in its report,
// the daemon and the other tunnels go on, and a reload starts it again.
// Its parts: the tunnels (./tunnel-set.ts), the reload (./reload.ts), what systemd is told
// (./daemon-notifications.ts); here, their start, the signals, and the way out.
import { LogOutputs, Logger } from '../adapters/logger.js';
import { LOG_ERR, LOG_INFO } from '../machine/config/log-levels.js';
import { signalNumber, type SupervisorSignal } from '../machine/signals.js';
import type { DaemonConfig, TunnelDefinition } from './config/types.js';
import { DaemonNotifications, type NotifySink } from './daemon-notifications.js';
import type { DaemonTunnel, TunnelDeps } from './daemon-tunnel.js';
import { Reloader } from './reload.js';
import type { StatusSource, TunnelSource, TunnelReport, TunnelTracker } from './status-types.js';
import { prepareTunnels, TunnelSet } from './tunnel-set.js';

export interface DaemonLogSettings {
  logFile: string | null;
  logLevel: number;
  debug: boolean;
  /** Tests only: the unix socket syslog lines go to instead of /dev/log. */
  syslogSocket?: string | null;
}

export interface DaemonDeps {
  prog: string;
  /** reads and validates a whole file (loadDaemonConfig); a ConfigFileError says what is wrong */
  load: (path: string) => Promise<DaemonConfig>;
  /** where the daemon's own lines go (start, reload, a tunnel's end); each tunnel logs as its env says */
  log: DaemonLogSettings;
  /** every tunnel stopped after a signal: the process exits with this code */
  onExit: (code: number) => void;
  /** each reload attempt's outcome (the metrics count them) */
  onReload?: (result: 'ok' | 'failed') => void;
  /** a refused reload is said here too (stderr): it must not pass unseen */
  warn?: (line: string) => void;
  notifier?: NotifySink | null;
  /** the status side's tracker for each tunnel (./status-types.ts) */
  makeTracker?: (tunnel: TunnelSource) => TunnelTracker;
  /** systemd's WATCHDOG_USEC and WATCHDOG_PID, read before they were unset: WATCHDOG=1 at half of it */
  watchdogEnv?: NodeJS.ProcessEnv | null;
  /** how long STATUS= says a refused reload before it says the tunnels again (REFUSAL_SHOWN_MS unless told) */
  refusalShownMs?: number;
  /** Tests only (TunnelDeps.invariantConfigOf): break a tunnel's invariant on purpose */
  invariantConfigOf?: TunnelDeps['invariantConfigOf'];
}

export class Daemon implements StatusSource {
  private readonly tunnels = new TunnelSet();
  private readonly notifications: DaemonNotifications;
  private readonly outputs: LogOutputs;
  private readonly logger: Logger;
  /** made at the start, with the file as read then */
  private reloader: Reloader | null = null;
  private stoppingFor: SupervisorSignal | null = null;
  private finished = false;
  private keepAlive: NodeJS.Timeout | null = null;

  constructor(private readonly deps: DaemonDeps) {
    this.outputs = new LogOutputs({ progName: deps.prog, syslogSocket: deps.log.syslogSocket ?? null });
    this.logger = new Logger({ progName: deps.prog, ...deps.log, outputs: this.outputs });
    this.notifications = new DaemonNotifications(deps.notifier ?? null, () => this.tunnels.all(), deps.refusalShownMs);
  }

  /** Start every tunnel of a validated file. An error message (a log that cannot be opened) starts none. */
  start(config: DaemonConfig): string | null {
    this.logger.format = config.logFormat;
    const logError = this.logger.open();
    if (logError !== null) return logError;
    const prepared = this.prepare(config.tunnels, config);
    if ('error' in prepared) return prepared.error;
    this.reloader = new Reloader(config, {
      prog: this.deps.prog,
      load: this.deps.load,
      logger: this.logger,
      tunnels: this.tunnels,
      notifications: this.notifications,
      prepare: (definitions, next) => this.prepare(definitions, next),
      exiting: () => this.stoppingFor !== null,
      onReload: this.deps.onReload,
      warn: this.deps.warn,
    });
    this.logger.log(LOG_INFO, `${this.deps.prog} starting ${config.tunnels.length} tunnel(s) from ${config.path} (pid ${process.pid})`);
    // all known before any starts: READY=1 waits for every one of them, not those launched so far
    this.tunnels.adopt(config.tunnels.map((definition) => definition.name), prepared.tunnels);
    this.notifications.arm();
    this.tunnels.launch(prepared.tunnels);
    this.notifications.startWatchdog(this.deps.watchdogEnv ?? null, (level, message) => {
      this.logger.log(level, message);
      this.deps.warn?.(`${this.deps.prog}: ${message}\n`);
    });
    // every tunnel may end (MAXSTART) with nothing else to wait for: the daemon still waits for
    // a reload or a signal to exit, as documented, instead of leaving with the event loop
    this.keepAlive = setInterval(() => {}, 2 ** 30);
    this.notifications.checkReady();
    return null;
  }

  /** A signal to the daemon (see the top of this file). */
  signal(signal: SupervisorSignal): void {
    if (this.finished) return;
    switch (signal) {
      case 'SIGHUP':
        void this.reload();
        return;
      case 'SIGUSR1':
        this.logger.log(LOG_INFO, `received SIGUSR1: restarting the ssh of ${this.tunnels.aliveCount} tunnel(s)`);
        this.tunnels.signalAlive('SIGUSR1');
        return;
      case 'SIGUSR2':
        return;
      default:
        this.shutdown(signal);
    }
  }

  /** Reload the file; resolves once this reload (and one queued behind it, if any) is done. */
  reload(): Promise<void> {
    if (this.stoppingFor !== null || this.finished || this.reloader === null) return Promise.resolve();
    return this.reloader.request();
  }

  get done(): boolean {
    return this.finished;
  }

  /** The tunnel of that name in the file now (tests, the status side). */
  tunnel(name: string): DaemonTunnel | undefined {
    return this.tunnels.get(name);
  }

  /** the trackers of the tunnels in the file now (the metrics read them) */
  trackers(): TunnelTracker[] {
    return this.tunnels.trackers();
  }

  reports(): TunnelReport[] {
    return this.tunnels.reports();
  }

  /** Last resort (an internal error): no ssh outlives us, no pid file stays. */
  killEverySsh(): void {
    this.tunnels.killEverySsh();
  }

  private prepare(definitions: readonly TunnelDefinition[], config: DaemonConfig): { tunnels: DaemonTunnel[] } | { error: string } {
    const deps: TunnelDeps = {
      prog: this.deps.prog,
      outputs: this.outputs,
      format: config.logFormat,
      logFile: this.deps.log.logFile,
      debug: this.deps.log.debug,
      makeTracker: this.deps.makeTracker,
      onEffect: (tunnel, effect) => this.notifications.observe(tunnel, effect),
      onRunEnd: (tunnel) => this.notifications.runEnded(tunnel),
      onEnd: (tunnel, code) => this.tunnelEnded(tunnel, code),
      invariantConfigOf: this.deps.invariantConfigOf,
    };
    return prepareTunnels(definitions, deps);
  }

  private shutdown(signal: SupervisorSignal): void {
    const first = this.stoppingFor === null;
    this.stoppingFor ??= signal;
    if (first) {
      this.logger.log(LOG_INFO, `received signal to exit (${signalNumber(signal)}): stopping ${this.tunnels.aliveCount} tunnel(s)`);
      this.notifications.stopping();
    }
    // each machine answers as the drop-in's: a second signal while its ssh is stopping is D4's SIGKILL.
    // A tunnel a reload is already stopping got its SIGTERM then: the first signal to exit is not
    // its second
    this.tunnels.signalAlive(signal, first);
    if (first) void this.tunnels.whenAllEnded().then(() => this.exit(1));
  }

  private exit(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.notifications.close();
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.logger.log(LOG_INFO, `every tunnel stopped; exiting with status ${code}`);
    this.logger.close();
    this.outputs.close(() => this.deps.onExit(code));
  }

  private tunnelEnded(tunnel: DaemonTunnel, code: number): void {
    this.tunnels.ended(tunnel);
    if (this.stoppingFor === null && !tunnel.isRetiring && this.tunnels.isInFile(tunnel)) {
      tunnel.logger.log(
        code === 0 ? LOG_INFO : LOG_ERR,
        `its supervisor exited with status ${code}; the other tunnels go on, and a reload (SIGHUP) starts it again`,
      );
    }
    this.notifications.runEnded(tunnel);
  }
}
