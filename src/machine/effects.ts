// What the machine asks its driver to do. Emitted in order; a driver applies them as they come.
import type { TimerName } from './events.js';
import type { Monitor } from './config/types.js';

export type Effect =
  | { type: 'spawnSsh'; n: number; argv: string[] }
  | { type: 'signalSsh'; signal: 'SIGTERM' | 'SIGKILL' }
  /** run one connection test; its result comes back as PROBE_PASSED or PROBE_FAILED with this probeId */
  | { type: 'runProbe'; probeId: number; monitor: Monitor; netTimeoutMs: number; testMessage: string }
  /** drop a test in flight, if any; harmless otherwise */
  | { type: 'cancelProbe'; probeId: number }
  /** (re)arm the named timer to fire at this time on the driver's clock */
  | { type: 'armTimer'; timer: TimerName; dueMs: number }
  /** harmless when the timer is not armed */
  | { type: 'cancelTimer'; timer: TimerName }
  /**
   * Tell SSH_ESTABLISHED once the current ssh shows its session is up: it listens on one of
   * these local ports, or (authLine) says "Authenticated to" on its stderr. Ends by itself when
   * that ssh ends.
   */
  | { type: 'awaitEstablished'; listenPorts: number[]; authLine: boolean }
  /** tell NETWORK_CHANGED when the network comes back; until unwatchNetwork */
  | { type: 'watchNetwork' }
  | { type: 'unwatchNetwork' }
  | { type: 'log'; level: number; message: string }
  /** one decision and the rule that made it, for replay traces */
  | { type: 'decision'; rule: string; detail: string }
  /** the machine is done: the driver cleans up (pid file, listener) and exits with this code */
  | { type: 'exit'; code: number };

export type EffectType = Effect['type'];
