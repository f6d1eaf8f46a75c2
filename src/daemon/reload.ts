// A reload (SIGHUP): the file read again and the tunnels made to match it (./reload-plan.ts),
// whole or not at all. Reloads run one at a time; a SIGHUP during one queues one more, however
// many come. A refused reload leaves the running tunnels as they were, and says why.
import type { Logger } from '../adapters/logger.js';
import { LOG_ERR, LOG_INFO } from '../machine/config/log-levels.js';
import type { DaemonConfig, TunnelDefinition } from './config/types.js';
import type { DaemonNotifications } from './daemon-notifications.js';
import type { DaemonTunnel } from './daemon-tunnel.js';
import { describePlan, reloadPlan } from './reload-plan.js';
import { DEFAULT_RESTART_POLICY } from './restart-policy.js';
import type { TunnelSet } from './tunnel-set.js';

export interface ReloadDeps {
  prog: string;
  /** reads and validates a whole file; a ConfigFileError says what is wrong */
  load: (path: string) => Promise<DaemonConfig>;
  logger: Logger;
  tunnels: TunnelSet;
  notifications: DaemonNotifications;
  /** the tunnels of these definitions, their logs open, none started (prepareTunnels) */
  prepare: (definitions: readonly TunnelDefinition[], config: DaemonConfig) => { tunnels: DaemonTunnel[] } | { error: string };
  /** a signal to exit came: no reload starts, and one under way starts nothing */
  exiting: () => boolean;
  /** each reload attempt's outcome (the metrics count them) */
  onReload?: (result: 'ok' | 'failed') => void;
  /** a refused reload is said here too (stderr): it must not pass unseen */
  warn?: (line: string) => void;
}

export class Reloader {
  private run: Promise<void> | null = null;
  private queued = false;

  constructor(
    /** the file as last read */
    private config: DaemonConfig,
    private readonly deps: ReloadDeps,
  ) {}

  /** Reload the file; resolves once this reload (and one queued behind it, if any) is done. */
  request(): Promise<void> {
    if (this.run !== null) {
      // one queued reload covers every SIGHUP that comes during this one: it reads the file then
      this.queued = true;
      return this.run;
    }
    const run = (async () => {
      do {
        this.queued = false;
        await this.once();
      } while (this.queued && !this.deps.exiting());
    })();
    this.run = run.finally(() => {
      this.run = null;
    });
    return this.run;
  }

  private async once(): Promise<void> {
    const { logger, tunnels, notifications } = this.deps;
    const current = this.config;
    notifications.reloading();
    logger.log(LOG_INFO, `reloading ${current.path}`);
    let next: DaemonConfig;
    try {
      next = await this.deps.load(current.path);
    } catch (error) {
      return this.refuse(error instanceof Error ? error.message : String(error));
    }
    const running = tunnels.all().map((tunnel) => ({ name: tunnel.name, definitionKey: tunnel.definition.definitionKey, ended: tunnel.done }));
    const plan = reloadPlan(running, next.tunnels);
    // every new tunnel's log opens before anything is stopped: a reload happens whole or not at all
    const prepared = this.deps.prepare([...plan.start, ...plan.restart], next);
    if ('error' in prepared) return this.refuse(prepared.error);

    logger.format = next.logFormat;
    for (const name of plan.keep) tunnels.get(name)!.logger.format = next.logFormat;
    // a changed restart policy alone is no new definition: a kept tunnel takes it as it runs or waits
    const kept = new Set(plan.keep);
    for (const definition of next.tunnels) {
      if (kept.has(definition.name)) tunnels.get(definition.name)!.setRestartPolicy(definition.restart ?? DEFAULT_RESTART_POLICY);
    }
    const leaving = [...plan.stop, ...plan.restart.map((definition) => definition.name)].map((name) => tunnels.get(name)!);
    for (const tunnel of leaving) {
      if (tunnel.done) continue;
      tunnel.logger.log(LOG_INFO, plan.stop.includes(tunnel.name) ? 'stopping: removed from the file' : 'restarting: its definition changed');
      tunnel.retire();
    }
    await Promise.all(leaving.map((tunnel) => tunnel.ended));
    if (this.deps.exiting()) {
      // a signal to exit came while old tunnels stopped: start nothing more
      for (const tunnel of prepared.tunnels) tunnel.discard();
      return;
    }
    tunnels.adopt(next.tunnels.map((definition) => definition.name), prepared.tunnels);
    this.config = next;
    tunnels.launch(prepared.tunnels);
    logger.log(LOG_INFO, `reloaded ${next.path}: ${describePlan(plan)}`);
    if (JSON.stringify(next.status) !== JSON.stringify(current.status)) {
      logger.log(LOG_ERR, '[status] changed in the file: the status endpoint keeps its old address until the daemon restarts');
    }
    this.deps.onReload?.('ok');
    notifications.reloaded();
  }

  private refuse(why: string): void {
    const message = `reload refused, the running tunnels are left as they were: ${why}`;
    this.deps.logger.log(LOG_ERR, message);
    this.deps.warn?.(`${this.deps.prog}: ${message}\n`);
    this.deps.onReload?.('failed');
    this.deps.notifications.reloadRefused(why);
  }
}
