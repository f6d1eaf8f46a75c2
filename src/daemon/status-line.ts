// sd_notify's STATUS= line for the daemon: how many tunnels are up, then each one that is not
// and why ("2/3 tunnels up; db: backing off 32 s"). Pure; "up" is the driver's (tunnel-state.ts).
import type { TunnelState } from '../driver/tunnel-state.js';

export interface TunnelStatus {
  name: string;
  state: TunnelState;
  /** the tunnel's driver clock now (ms): a backoff's due time becomes seconds left */
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
      const seconds = state.backoffDueMs === null ? 0 : Math.max(0, Math.ceil((state.backoffDueMs - nowMs) / 1000));
      return `backing off ${seconds} s`;
    }
    case 'exited':
      return `exited (status ${state.exitCode ?? 1})`;
    default:
      return state.phase;
  }
}
