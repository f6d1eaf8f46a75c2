// systemd readiness for the drop-in (Type=notify): with NOTIFY_SOCKET set, READY=1 once ssh runs,
// a STATUS= line at each change of the tunnel's phase, STOPPING=1 on the way out, and the
// watchdog's pings. Without NOTIFY_SOCKET nothing is loaded and nothing is sent.
//
// READY=1 means "supervising": ssh was started, whether or not its session is up yet (D9's
// establishment, when on, shows in STATUS=). Waiting for the session would make a unit whose
// server is down at boot fail to start and hold back every unit ordered after it, while autossh's
// whole job is to keep trying. docs/systemd.md says the same to operators.
import { notifierFromEnvironment, type SdNotifier } from '../adapters/sd-notify.js';
import { startWatchdog } from '../adapters/systemd-watchdog.js';
import type { Logger } from '../adapters/logger.js';
import type { AutosshSnapshot } from '../driver/machine-runner.js';
import { tunnelStateOf } from '../driver/tunnel-state.js';
import { secondsLeft, wholeSeconds } from '../driver/wait-left.js';
import type { Effect } from '../machine/effects.js';

/** systemd's notification variables, read here and then unset */
export const NOTIFY_VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

/** What readiness reads of the running tunnel, when it is asked (the daemon's TunnelSource, less the name). */
export interface ReadinessSource {
  snapshot(): AutosshSnapshot;
  sshPid(): number | undefined;
  /** the supervisor's clock (ms), to turn the backoff's due time into seconds left */
  nowMs(): number;
}

/** One line for `systemctl status`: the tunnel's phase, as tunnelStateOf names it, in words. */
export function tunnelStatusText(snapshot: AutosshSnapshot, sshPid: number | undefined, nowMs: number): string {
  const state = tunnelStateOf(snapshot);
  const { context } = snapshot;
  const ssh = sshPid === undefined ? 'ssh' : `ssh (pid ${sshPid})`;
  switch (state.phase) {
    case 'starting':
      return 'starting';
    case 'connecting':
    case 'up':
    case 'testing':
      // no pid: the machine started ssh, but its failure to start is still on its way
      if (sshPid === undefined) return 'starting ssh';
      if (state.phase === 'connecting') return `connecting: ssh (pid ${sshPid}) running, waiting for the session (D9)`;
      // a connection test in flight changes nothing an operator needs: it comes every poll
      return `ssh running (pid ${sshPid}), up`;
    case 'backingOff': {
      const seconds = state.backoffDueMs === null ? context.waitMs / 1000 : secondsLeft(state.backoffDueMs, nowMs);
      return `backing off ${wholeSeconds(seconds)} s (${context.waitRule})`;
    }
    case 'stopping':
      switch (context.afterStop) {
        case 'restart':
          return `stopping ${ssh} to restart it`;
        case 'exitAtLifetime':
          return `stopping ${ssh}: AUTOSSH_MAXLIFETIME reached`;
        case 'exitSignalled':
          return `stopping ${ssh} on the way out`;
      }
    // falls through: every afterStop is handled above
    case 'exited':
      return `exited (status ${state.exitCode ?? 1})`;
  }
}

/** Stopping ssh to end the run, or ended: what STOPPING=1 announces. */
function onTheWayOut(snapshot: AutosshSnapshot): boolean {
  const { phase } = tunnelStateOf(snapshot);
  return phase === 'exited' || (phase === 'stopping' && snapshot.context.afterStop !== 'restart');
}

export interface Readiness {
  /** for SupervisorOptions.observe */
  observe(effect: Effect): void;
  /** the supervisor is exiting with `code`: STOPPING=1 (once) and a last STATUS=, sent before returning */
  stopping(code: number): void;
}

class DropInReadiness implements Readiness {
  private sshStarted = false;
  private readySent = false;
  private stoppingSent = false;
  private finished = false;
  private renderQueued = false;

  constructor(
    private readonly notifier: SdNotifier,
    private readonly tunnel: ReadinessSource,
  ) {}

  observe(effect: Effect): void {
    if (effect.type === 'spawnSsh') this.sshStarted = true;
    // One machine step applies several effects (a log line, a decision, spawnSsh, timers) and
    // the snapshot is already the step's end: say it once, after the step's last effect.
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  stopping(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.notifier.notify({ ...(this.stoppingSent ? {} : { STOPPING: true as const }), STATUS: `exiting (status ${code})` });
    this.stoppingSent = true;
  }

  private render(): void {
    if (this.finished) return;
    const snapshot = this.tunnel.snapshot();
    const pid = this.tunnel.sshPid();
    const status = tunnelStatusText(snapshot, pid, this.tunnel.nowMs());
    // READY=1 once the first ssh exists (a spawn that failed leaves no pid: not ready yet)
    const ready = !this.readySent && this.sshStarted && pid !== undefined;
    const stopping = !this.stoppingSent && onTheWayOut(snapshot);
    const changed = status !== this.notifier.currentStatus;
    if (!ready && !stopping && !changed) return;
    const sent = this.notifier.notify({
      ...(ready ? { READY: true as const } : {}),
      ...(stopping ? { STOPPING: true as const } : {}),
      STATUS: status,
    });
    // a dropped READY=1 is tried again at the next change: late is better than a start timeout
    if (sent && ready) this.readySent = true;
    if (sent && stopping) this.stoppingSent = true;
  }
}

/**
 * The drop-in's readiness, or null when NOTIFY_SOCKET is unset (or unusable: logged). Awaited
 * before the supervisor starts: the transport is loaded by then and every message goes out at
 * once, in order, even one sent just before the process exits. Removes systemd's variables from
 * `env` (process.env: what ssh inherits).
 */
export async function systemdReadiness(env: NodeJS.ProcessEnv, logger: Logger, tunnel: ReadinessSource, warn: (message: string) => void = () => {}): Promise<Readiness | null> {
  const log = (level: number, message: string): void => logger.log(level, message);
  const notifier = await notifierFromEnvironment(env, log);
  // a watchdog setting refused is said where it will be seen, as a bad AUTOSSH_* value is (D8)
  if (notifier !== null) startWatchdog(() => notifier.notify({ WATCHDOG: true }), env, (level, message) => {
    log(level, message);
    warn(message);
  });
  // as sd_notify(unset_environment=1): ssh and what it runs (ProxyCommand, LocalCommand) are not
  // the service, and must not notify for it or take its watchdog for theirs
  for (const name of NOTIFY_VARIABLES) delete env[name];
  return notifier === null ? null : new DropInReadiness(notifier, tunnel);
}
