// What the daemon tells systemd through sd_notify: READY=1 once every tunnel's first start is
// done, STATUS= (the tunnels' phases, or for a while a refused reload), RELOADING=1 and READY=1
// around a reload, STOPPING=1, and the watchdog's WATCHDOG=1. A socket that fails never stops
// the tunnels.
import { startWatchdog } from '../adapters/systemd-watchdog.js';
import type { Effect } from '../machine/effects.js';
import type { DaemonTunnel } from './daemon-tunnel.js';
import { statusLine } from './status-line.js';

/** Where the daemon's sd_notify fields go (the SdNotifier of ../adapters/sd-notify.ts, or a test's list). */
export interface NotifySink {
  notify(fields: Record<string, string>): void;
}

/**
 * A refused reload is said in STATUS= for this long (long enough for `systemctl reload; systemctl
 * status`), then STATUS= says the tunnels again: the refusal stays in the log, on stderr and in
 * autossh_config_reloads_total{result="failed"}, not in a status line about tunnels that are fine.
 */
export const REFUSAL_SHOWN_MS = 10_000;

export class DaemonNotifications {
  /** tunnels that have started their first ssh (or ended a run): READY=1 once all have */
  private readonly begun = new WeakSet<DaemonTunnel>();
  /** the tunnels are all known: READY=1 may be told once they have begun */
  private armed = false;
  private readyTold = false;
  private closed = false;
  private statusQueued = false;
  private lastStatus = '';
  private stopWatchdog: (() => void) | null = null;
  /** STATUS= says a refused reload until this fires */
  private refusalShown: NodeJS.Timeout | null = null;

  constructor(
    private readonly sink: NotifySink | null,
    /** the tunnels of the file now, in its order */
    private readonly tunnels: () => readonly DaemonTunnel[],
    private readonly refusalShownMs: number = REFUSAL_SHOWN_MS,
  ) {}

  /** Every tunnel of the file is known (none may have begun yet): READY=1 waits for all of them. */
  arm(): void {
    this.armed = true;
  }

  /** The drop-in's watchdog: one reading of the variables, one interval rule; a refusal goes to `say`. */
  startWatchdog(env: NodeJS.ProcessEnv | null, say: (level: number, message: string) => void): void {
    if (!this.sink || env === null) return;
    this.stopWatchdog = startWatchdog(() => this.notify({ WATCHDOG: '1' }), env, say);
  }

  /** Every effect of every tunnel: its first ssh started is its start done. */
  observe(tunnel: DaemonTunnel, effect: Effect): void {
    if (effect.type === 'spawnSsh' && !this.begun.has(tunnel)) this.began(tunnel);
    this.queueStatus();
  }

  /** A run of the tunnel ended, or the tunnel did: its start is done, however it went. */
  runEnded(tunnel: DaemonTunnel): void {
    this.began(tunnel);
    this.queueStatus();
  }

  /** READY=1 once every tunnel has started its first ssh (or ended trying). */
  checkReady(): void {
    if (this.readyTold || !this.armed) return;
    for (const tunnel of this.tunnels()) if (!this.begun.has(tunnel)) return;
    this.readyTold = true;
    this.notify({ READY: '1' });
  }

  reloading(): void {
    this.notify({ RELOADING: '1', MONOTONIC_USEC: String(process.hrtime.bigint() / 1000n) });
  }

  reloaded(): void {
    this.notify({ READY: '1' });
    this.queueStatus();
  }

  /** The reload ends (READY=1) and STATUS= says why it was refused, for refusalShownMs. */
  reloadRefused(why: string): void {
    this.notify({ READY: '1', STATUS: `reload refused: ${why}` });
    this.lastStatus = '';
    if (this.refusalShown) clearTimeout(this.refusalShown);
    this.refusalShown = setTimeout(() => {
      this.refusalShown = null;
      this.queueStatus();
    }, this.refusalShownMs);
    this.refusalShown.unref();
  }

  stopping(): void {
    this.notify({ STOPPING: '1' });
  }

  /** The daemon is exiting: no more STATUS=, no more pings. */
  close(): void {
    this.closed = true;
    this.stopWatchdog?.();
    if (this.refusalShown) clearTimeout(this.refusalShown);
  }

  private began(tunnel: DaemonTunnel): void {
    this.begun.add(tunnel);
    this.checkReady();
  }

  /** STATUS= ("2/3 tunnels up; db: backing off 32 s"), once per step, sent when it changed. */
  private queueStatus(): void {
    if (!this.sink || this.statusQueued || this.closed) return;
    this.statusQueued = true;
    queueMicrotask(() => {
      this.statusQueued = false;
      const line = statusLine(this.tunnels().map((tunnel) => ({ name: tunnel.name, state: tunnel.state(), nowMs: tunnel.nowMs() })));
      if (line === this.lastStatus) return;
      this.lastStatus = line;
      this.notify({ STATUS: line });
    });
  }

  private notify(fields: Record<string, string>): void {
    try {
      this.sink?.notify(fields);
    } catch {
      // systemd's socket going away must not stop the tunnels
    }
  }
}
