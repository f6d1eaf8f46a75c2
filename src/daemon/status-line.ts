// sd_notify's STATUS= line for the daemon: how many tunnels are up, then each one that is not
// and why ("2/3 tunnels up; db: backing off 32 s; web: restarting in 30 s (policy always, run 4
// ended: maximum start count reached)"). Pure; "up" is the driver's (tunnel-state.ts).
import { restartingWords, type DaemonTunnelState } from './tunnel-view.js';
import { secondsLeft, wholeSeconds } from '../driver/wait-left.js';

export interface TunnelStatus {
  name: string;
  state: DaemonTunnelState;
  /** the tunnel's clock now (ms): a wait's due time becomes seconds left */
  nowMs: number;
}

/** at most this many tunnels that are not up are named: the line stays one short line */
export const MAX_NAMED_TUNNELS = 3;

export function statusLine(tunnels: readonly TunnelStatus[]): string {
  const up = tunnels.filter((tunnel) => tunnel.state.up).length;
  const down = tunnels.filter((tunnel) => !tunnel.state.up);
  const named = down.slice(0, MAX_NAMED_TUNNELS).map((tunnel) => `${tunnel.name}: ${whyNotUp(tunnel)}`);
  if (down.length > MAX_NAMED_TUNNELS) named.push(`${down.length - MAX_NAMED_TUNNELS} more`);
  return [`${up}/${tunnels.length} tunnels up`, ...named].join('; ');
}

function whyNotUp({ state, nowMs }: TunnelStatus): string {
  switch (state.phase) {
    case 'backingOff': {
      const seconds = state.backoffDueMs === null ? 0 : wholeSeconds(secondsLeft(state.backoffDueMs, nowMs));
      return `backing off ${seconds} s`;
    }
    case 'restarting': {
      const wait = state.restart!;
      return restartingWords({ seconds: secondsLeft(wait.dueMs, nowMs), policy: state.policy, run: wait.run, reason: wait.reason });
    }
    case 'exited':
      return `exited (status ${state.exitCode ?? 1}; restart = "${state.policy}")`;
    default:
      return state.phase;
  }
}
