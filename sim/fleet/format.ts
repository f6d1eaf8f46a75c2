// A fleet's figures as text and JSON: deterministic, nothing about the host or wall time.
import { formatDuration, formatOffset } from '../timeline/duration.js';
import type { FleetResult } from './run-fleet.js';
import { formatRoundedDuration as rounded } from './rounded-duration.js';

export const FLEET_FORMAT = 'autossh-fleet/1';

export function formatFleet(r: FleetResult): string {
  const pct = (ms: number): string => `${((ms / r.durationMs) * 100).toFixed(3)}%`;
  const d = r.downtimeMs;
  const s = r.sshStarts;
  const codes = Object.entries(r.exitCodes).sort().map(([code, n]) => `exit ${code}: ${n}`).join(', ');
  return [
    `fleet: ${r.tunnels} tunnels for ${formatDuration(r.durationMs)} on ${r.model} (seed ${r.seed})`,
    `config: ${[...Object.entries(r.config.env).map(([k, v]) => `${k}=${v}`), 'autossh', ...r.config.args].join(' ')}`,
    `faults: ${r.faults.total} inflicted (${r.faults.correlatedEvents} correlated events)`,
    'downtime per tunnel:',
    `  p50 ${rounded(d.p50)} (${pct(d.p50)})  p90 ${rounded(d.p90)} (${pct(d.p90)})  p99 ${rounded(d.p99)} (${pct(d.p99)})  max ${rounded(d.max)} (${pct(d.max)})`,
    `  mean ${rounded(d.mean)} (${pct(d.mean)})`,
    `ssh starts: ${s.total} in all; per tunnel p50 ${s.p50}  p90 ${s.p90}  p99 ${s.p99}  max ${s.max}`,
    `  peak ${s.peakRestartsPerSecond} restarts in one second${s.peakRestartsPerSecond > 0 ? ` (from ${formatOffset(s.peakRestartsAtMs)})` : ''}; each tunnel's first start aside`,
    `supervisors that gave up: ${r.gaveUp}${codes ? ` (${codes})` : ''}`,
    '',
  ].join('\n');
}

export function fleetJson(r: FleetResult): string {
  const { downtimesMs: _perTunnel, ...figures } = r;
  return `${JSON.stringify({ format: FLEET_FORMAT, ...figures }, null, 1)}\n`;
}
