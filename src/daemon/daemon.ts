// The daemon: every tunnel of one file in one process, each exactly a drop-in's run (its own
// machine, the shared driver, a RealHost, ssh our child that dies with us), plus what only a
// daemon does: reload without touching unchanged tunnels, one answer to a signal for all.
//
// Signals (the daemon's, not forwarded to tunnels one by one):
// - SIGTERM, SIGINT (and SIGQUIT, SIGABRT, as D6): each tunnel's machine gets the signal, as the
//   drop-in's would (ssh SIGTERMed, SIGKILLed after its AUTOSSH_KILLTIME); once every tunnel has
//   ended the daemon exits 1, as 1.4g does on SIGTERM (a unit says SuccessExitStatus=1). A second
//   one goes to every machine again: D4, SIGKILL at once.
// - SIGHUP: reload (./reload-plan.ts). Reloads run one at a time; a SIGHUP during one queues one
//   more, however many come.
// - SIGUSR1: every tunnel's machine gets it, as the drop-in's would: each running ssh is killed
//   and restarted, each backoff wait ends now (D1), and each restart wait too (the next run starts
//   now). An operator's "reconnect everything now".
// - SIGUSR2: ignored, as by the drop-in.
// A run of a tunnel's machine that ends (MAXSTART used up, its lifetime reached, ssh exited 0, a
// listener it could not bind) is followed by another as the tunnel's restart policy says
// (./daemon-tunnel.ts); a tunnel the policy does not restart is logged and shows in its report,
// the daemon and the other tunnels go on, and a reload starts it again.
import { LogOutputs, Logger } from '../adapters/logger.js';
import { startWatchdog } from '../adapters/systemd-watchdog.js';
import { LOG_ERR, LOG_INFO } from '../machine/config/log-levels.js';
import type { Effect } from '../machine/effects.js';
import { signalNumber, type SupervisorSignal } from '../machine/signals.js';
import type { DaemonConfig, TunnelDefinition } from './config/types.js';
import { describePlan, reloadPlan } from './reload-plan.js';
import { DaemonTunnel, type TunnelDeps } from './daemon-tunnel.js';
import { DEFAULT_RESTART_POLICY } from './restart-policy.js';
import type { StatusSource, TrackedTunnel, TunnelReport, TunnelTracker } from './status-types.js';
import { statusLine } from './status-line.js';

/** sd_notify's sender (src/adapters/sd-notify.ts): READY=1, STATUS=, RELOADING=1, STOPPING=1, WATCHDOG=1 */
export interface Notifier {
  notify(fields: Record<string, string>): void;
}

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
  notifier?: Notifier | null;
  /** the status side's tracker for each tunnel (./status-types.ts) */
  makeTracker?: (tunnel: TrackedTunnel) => TunnelTracker;
  /** systemd's WATCHDOG_USEC and WATCHDOG_PID, read before they were unset: WATCHDOG=1 at half of it */
  watchdogEnv?: NodeJS.ProcessEnv | null;
  /** how long STATUS= says a refused reload before it says the tunnels again (REFUSAL_SHOWN_MS unless told) */
  refusalShownMs?: number;
  /** Tests only (TunnelDeps.invariantConfigOf): break a tunnel's invariant on purpose */
  invariantConfigOf?: TunnelDeps['invariantConfigOf'];
}

/**
 * A refused reload is said in STATUS= for this long (long enough for `systemctl reload; systemctl
 * status`), then STATUS= says the tunnels again: the refusal stays in the log, on stderr and in
 * autossh_config_reloads_total{result="failed"}, not in a status line about tunnels that are fine.
 */
export const REFUSAL_SHOWN_MS = 10_000;

export class Daemon implements StatusSource {
  /** the tunnels of the file now, in its order (an ended one stays until a reload) */
  private tunnels = new Map<string, DaemonTunnel>();
  /** every tunnel not ended for good (running or waiting to restart), those a reload is stopping too */
  private readonly alive = new Set<DaemonTunnel>();
  /** tunnels that have started their first ssh (or ended a run): READY=1 once all have */
  private readonly begun = new WeakSet<DaemonTunnel>();
  private readonly outputs: LogOutputs;
  private readonly logger: Logger;
  private config: DaemonConfig | null = null;
  private stoppingFor: SupervisorSignal | null = null;
  private finished = false;
  private readyTold = false;
  private reloadRun: Promise<void> | null = null;
  private reloadQueued = false;
  private keepAlive: NodeJS.Timeout | null = null;
  private statusQueued = false;
  private lastStatus = '';
  private stopWatchdog: (() => void) | null = null;
  /** STATUS= says a refused reload until this fires */
  private refusalShown: NodeJS.Timeout | null = null;

  constructor(private readonly deps: DaemonDeps) {
    this.outputs = new LogOutputs({ progName: deps.prog, syslogSocket: deps.log.syslogSocket ?? null });
    this.logger = new Logger({ progName: deps.prog, ...deps.log, outputs: this.outputs });
  }

  /** Start every tunnel of a validated file. An error message (a log that cannot be opened) starts none. */
  start(config: DaemonConfig): string | null {
    this.logger.format = config.logFormat;
    const logError = this.logger.open();
    if (logError !== null) return logError;
    const prepared = this.prepare(config.tunnels, config);
    if ('error' in prepared) return prepared.error;
    this.config = config;
    this.logger.log(LOG_INFO, `${this.deps.prog} starting ${config.tunnels.length} tunnel(s) from ${config.path} (pid ${process.pid})`);
    // all in the map before any starts: READY=1 waits for every one of them, not those launched so far
    for (const tunnel of prepared.tunnels) this.tunnels.set(tunnel.name, tunnel);
    for (const tunnel of prepared.tunnels) this.launch(tunnel);
    this.startWatchdog();
    // every tunnel may end (MAXSTART) with nothing else to wait for: the daemon still waits for
    // a reload or a signal to exit, as documented, instead of leaving with the event loop
    this.keepAlive = setInterval(() => {}, 2 ** 30);
    this.checkReady();
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
        this.logger.log(LOG_INFO, `received SIGUSR1: restarting the ssh of ${this.alive.size} tunnel(s)`);
        for (const tunnel of this.alive) tunnel.signal('SIGUSR1');
        return;
      case 'SIGUSR2':
        return;
      default:
        this.shutdown(signal);
    }
  }

  /** Reload the file; resolves once this reload (and one queued behind it, if any) is done. */
  reload(): Promise<void> {
    if (this.stoppingFor !== null || this.finished || this.config === null) return Promise.resolve();
    if (this.reloadRun !== null) {
      // one queued reload covers every SIGHUP that comes during this one: it reads the file then
      this.reloadQueued = true;
      return this.reloadRun;
    }
    const run = (async () => {
      do {
        this.reloadQueued = false;
        await this.reloadOnce();
      } while (this.reloadQueued && this.stoppingFor === null);
    })();
    this.reloadRun = run.finally(() => {
      this.reloadRun = null;
    });
    return this.reloadRun;
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
    return [...this.tunnels.values()].flatMap((tunnel) => (tunnel.tracker ? [tunnel.tracker] : []));
  }

  reports(): TunnelReport[] {
    return [...this.tunnels.values()].map((tunnel) => tunnel.tracker?.report() ?? tunnel.basicReport());
  }

  /** Last resort (an internal error): no ssh outlives us, no pid file stays. */
  killEverySsh(): void {
    for (const tunnel of this.alive) tunnel.kill();
  }

  private prepare(definitions: readonly TunnelDefinition[], config: DaemonConfig): { tunnels: DaemonTunnel[] } | { error: string } {
    const deps: TunnelDeps = {
      prog: this.deps.prog,
      outputs: this.outputs,
      format: config.logFormat,
      logFile: this.deps.log.logFile,
      debug: this.deps.log.debug,
      makeTracker: this.deps.makeTracker,
      onEffect: (tunnel, effect) => this.observe(tunnel, effect),
      onRunEnd: (tunnel) => this.runEnded(tunnel),
      onEnd: (tunnel, code) => this.tunnelEnded(tunnel, code),
      invariantConfigOf: this.deps.invariantConfigOf,
    };
    const tunnels: DaemonTunnel[] = [];
    for (const definition of definitions) {
      const prepared = DaemonTunnel.prepare(definition, deps);
      if ('error' in prepared) {
        for (const tunnel of tunnels) tunnel.discard();
        return prepared;
      }
      tunnels.push(prepared);
    }
    return { tunnels };
  }

  private launch(tunnel: DaemonTunnel): void {
    this.alive.add(tunnel);
    tunnel.start();
  }

  private async reloadOnce(): Promise<void> {
    const current = this.config!;
    this.notify({ RELOADING: '1', MONOTONIC_USEC: String(process.hrtime.bigint() / 1000n) });
    this.logger.log(LOG_INFO, `reloading ${current.path}`);
    let next: DaemonConfig;
    try {
      next = await this.deps.load(current.path);
    } catch (error) {
      return this.refuseReload(error instanceof Error ? error.message : String(error));
    }
    const running = [...this.tunnels.values()].map((tunnel) => ({
      name: tunnel.name, definitionKey: tunnel.definition.definitionKey, ended: tunnel.done,
    }));
    const plan = reloadPlan(running, next.tunnels);
    // every new tunnel's log opens before anything is stopped: a reload happens whole or not at all
    const prepared = this.prepare([...plan.start, ...plan.restart], next);
    if ('error' in prepared) return this.refuseReload(prepared.error);

    this.logger.format = next.logFormat;
    for (const name of plan.keep) this.tunnels.get(name)!.logger.format = next.logFormat;
    // a changed restart policy alone is no new definition: a kept tunnel takes it as it runs or waits
    const kept = new Set(plan.keep);
    for (const definition of next.tunnels) {
      if (kept.has(definition.name)) this.tunnels.get(definition.name)!.setRestartPolicy(definition.restart ?? DEFAULT_RESTART_POLICY);
    }
    const leaving = [...plan.stop, ...plan.restart.map((definition) => definition.name)].map((name) => this.tunnels.get(name)!);
    for (const tunnel of leaving) {
      if (tunnel.done) continue;
      tunnel.logger.log(LOG_INFO, plan.stop.includes(tunnel.name) ? 'stopping: removed from the file' : 'restarting: its definition changed');
      tunnel.retire();
    }
    await Promise.all(leaving.map((tunnel) => tunnel.ended));
    if (this.stoppingFor !== null) {
      // a signal to exit came while old tunnels stopped: start nothing more
      for (const tunnel of prepared.tunnels) tunnel.discard();
      return;
    }
    const fresh = new Map(prepared.tunnels.map((tunnel) => [tunnel.name, tunnel]));
    this.tunnels = new Map(next.tunnels.map((definition) => [definition.name, fresh.get(definition.name) ?? this.tunnels.get(definition.name)!]));
    this.config = next;
    for (const tunnel of prepared.tunnels) this.launch(tunnel);
    this.logger.log(LOG_INFO, `reloaded ${next.path}: ${describePlan(plan)}`);
    if (JSON.stringify(next.status) !== JSON.stringify(current.status)) {
      this.logger.log(LOG_ERR, '[status] changed in the file: the status endpoint keeps its old address until the daemon restarts');
    }
    this.deps.onReload?.('ok');
    this.notify({ READY: '1' });
    this.queueStatus();
  }

  private refuseReload(why: string): void {
    const message = `reload refused, the running tunnels are left as they were: ${why}`;
    this.logger.log(LOG_ERR, message);
    this.deps.warn?.(`${this.deps.prog}: ${message}\n`);
    this.deps.onReload?.('failed');
    this.notify({ READY: '1', STATUS: `reload refused: ${why}` });
    this.lastStatus = '';
    if (this.refusalShown) clearTimeout(this.refusalShown);
    this.refusalShown = setTimeout(() => {
      this.refusalShown = null;
      this.queueStatus();
    }, this.deps.refusalShownMs ?? REFUSAL_SHOWN_MS);
    this.refusalShown.unref();
  }

  private shutdown(signal: SupervisorSignal): void {
    const first = this.stoppingFor === null;
    this.stoppingFor ??= signal;
    if (first) {
      this.logger.log(LOG_INFO, `received signal to exit (${signalNumber(signal)}): stopping ${this.alive.size} tunnel(s)`);
      this.notify({ STOPPING: '1' });
    }
    // each machine answers as the drop-in's: a second signal while its ssh is stopping is D4's SIGKILL.
    // A tunnel a reload is already stopping got its SIGTERM then: the first signal to exit is not
    // its second
    for (const tunnel of this.alive) if (!(first && tunnel.isRetiring)) tunnel.signal(signal);
    if (first) void this.whenAllEnded().then(() => this.exit(1));
  }

  private async whenAllEnded(): Promise<void> {
    // bounded: nothing joins `alive` once a signal to exit came (reloads start nothing more)
    while (this.alive.size > 0) await Promise.all([...this.alive].map((tunnel) => tunnel.ended));
  }

  private exit(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.stopWatchdog?.();
    if (this.refusalShown) clearTimeout(this.refusalShown);
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.logger.log(LOG_INFO, `every tunnel stopped; exiting with status ${code}`);
    this.logger.close();
    this.outputs.close(() => this.deps.onExit(code));
  }

  private tunnelEnded(tunnel: DaemonTunnel, code: number): void {
    this.alive.delete(tunnel);
    this.begun.add(tunnel);
    if (this.stoppingFor === null && !tunnel.isRetiring && this.tunnels.get(tunnel.name) === tunnel) {
      tunnel.logger.log(
        code === 0 ? LOG_INFO : LOG_ERR,
        `its supervisor exited with status ${code}; the other tunnels go on, and a reload (SIGHUP) starts it again`,
      );
    }
    this.checkReady();
    this.queueStatus();
  }

  /** A run ended: the tunnel waits to restart, or has ended (tunnelEnded follows). */
  private runEnded(tunnel: DaemonTunnel): void {
    this.begun.add(tunnel);
    this.checkReady();
    this.queueStatus();
  }

  private observe(tunnel: DaemonTunnel, effect: Effect): void {
    if (effect.type === 'spawnSsh' && !this.begun.has(tunnel)) {
      this.begun.add(tunnel);
      this.checkReady();
    }
    this.queueStatus();
  }

  /** READY=1 once every tunnel has started its first ssh (or ended trying). */
  private checkReady(): void {
    if (this.readyTold || this.config === null) return;
    for (const tunnel of this.tunnels.values()) if (!this.begun.has(tunnel)) return;
    this.readyTold = true;
    this.notify({ READY: '1' });
  }

  /** STATUS= ("2/3 tunnels up; db: backing off 32 s"), once per step, sent when it changed. */
  private queueStatus(): void {
    if (!this.deps.notifier || this.statusQueued || this.finished) return;
    this.statusQueued = true;
    queueMicrotask(() => {
      this.statusQueued = false;
      const line = statusLine([...this.tunnels.values()].map((tunnel) => ({ name: tunnel.name, state: tunnel.state(), nowMs: tunnel.nowMs() })));
      if (line === this.lastStatus) return;
      this.lastStatus = line;
      this.notify({ STATUS: line });
    });
  }

  /** The drop-in's watchdog: one reading of the variables, one interval rule; a refusal is logged and said on stderr. */
  private startWatchdog(): void {
    const env = this.deps.watchdogEnv ?? null;
    if (!this.deps.notifier || env === null) return;
    this.stopWatchdog = startWatchdog(() => this.notify({ WATCHDOG: '1' }), env, (level, message) => {
      this.logger.log(level, message);
      this.deps.warn?.(`${this.deps.prog}: ${message}\n`);
    });
  }

  private notify(fields: Record<string, string>): void {
    try {
      this.deps.notifier?.notify(fields);
    } catch {
      // systemd's socket going away must not stop the tunnels
    }
  }
}
