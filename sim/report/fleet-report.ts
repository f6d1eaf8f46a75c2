// A fleet's downtime per tunnel as a histogram, in one self-contained page.
import { formatDuration } from '../timeline/duration.js';
import type { FleetResult } from '../fleet/run-fleet.js';
import { esc, page, rect, text } from './svg.js';

export function fleetReportHtml(r: FleetResult): string {
  const bins = 40;
  const max = Math.max(1, r.downtimeMs.max);
  const counts = new Array<number>(bins).fill(0);
  for (const d of r.downtimesMs) counts[Math.min(bins - 1, Math.floor((d / max) * bins))]!++;
  const top = Math.max(...counts);
  const parts = counts.map((c, i) => rect(40 + i * 20, 20 + 200 - (c / top) * 200, 18, (c / top) * 200, '#1f77b4',
    `${formatDuration(Math.round((i * max) / bins))}..${formatDuration(Math.round(((i + 1) * max) / bins))}: ${c} tunnels`));
  parts.push(text(40, 240, '0'), text(40 + bins * 20 - 60, 240, formatDuration(max)), text(40, 14, `tunnels per downtime bin (max ${top})`));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${80 + bins * 20}" height="250">${parts.join('')}</svg>`;
  const d = r.downtimeMs;
  return page(`fleet: ${r.tunnels} tunnels on ${r.model}`, `${svg}\n<p>${esc(`seed ${r.seed}, ${formatDuration(r.durationMs)}; downtime p50 ${formatDuration(d.p50)}, p90 ${formatDuration(d.p90)}, p99 ${formatDuration(d.p99)}, max ${formatDuration(d.max)}; ssh starts ${r.sshStarts.total}, at most ${r.sshStarts.peakRestartsPerSecond} restarts in one second; gave up ${r.gaveUp}`)}</p>`);
}
