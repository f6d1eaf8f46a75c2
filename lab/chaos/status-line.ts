// The one-line status a chaos run reports while it runs: which fault is on (or next), and per
// tunnel its current ssh and the last canary's round trip.
import type { FaultRunner } from './fault-runner.js';
import type { ChaosTunnel } from './tunnels.js';

/** Twice a second: fast enough to watch a fault bite, slow enough not to flood a log. */
const STATUS_INTERVAL_MS = 500;

export function statusLine(nowMs: number, faults: FaultRunner, tunnels: readonly ChaosTunnel[]): string {
  const perTunnel = tunnels.map(({ supervisor, canary }) => {
    const ssh = supervisor.currentSsh();
    const last = canary.lastSettled();
    const traffic = last?.answeredMs != null ? `rtt ${last.answeredMs - last.sentMs} ms` : 'no echo';
    return `${supervisor.label}: ${ssh ? `ssh ${ssh.pid}` : 'no ssh'}, ${traffic}`;
  });
  return `t=${(nowMs / 1000).toFixed(1)}s  ${faults.describe(nowMs)}  | ${perTunnel.join(' | ')}`;
}

/** Calls `onStatus` with a fresh line every STATUS_INTERVAL_MS until stop(). */
export function reportStatus(onStatus: ((line: string) => void) | undefined, line: () => string): { stop(): void } {
  const timer = onStatus === undefined ? undefined : setInterval(() => onStatus(line()), STATUS_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}
