// The four reports the Chromium test checks and docs/reports/*.png show, each drawn from a real
// run: a replay of a timeline fixture, the same with --compare, a small fleet, and a chaos run
// recorded with `autossh-lab chaos --schedule server-restart --compare /usr/lib/autossh/autossh --json`.
import { readFileSync } from 'node:fs';
import { loadTimeline } from '../../sim/timeline/load.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';
import { replayReportHtml } from '../../sim/report/replay-report.js';
import { runFleet, DEFAULT_FLEET_CONFIG } from '../../sim/fleet/run-fleet.js';
import { builtinModel } from '../../sim/fleet/builtin-models.js';
import { fleetReportHtml } from '../../sim/report/fleet-report.js';
import { chaosReportHtml } from '../../lab/chaos/report.js';
import type { ChaosResult } from '../../lab/chaos/result.js';

const DAY_MS = 86_400_000;

export function reportPages() {
  const timeline = loadTimeline('test/fixtures/timelines/wifi-evening.json');
  const replayHtml = replayReportHtml(timeline, replayAll(timeline, [], []));
  const compared = replayAll(timeline, [], ['AUTOSSH_POLL=60', '-M 0 -o ServerAliveInterval=15']);
  const compareHtml = replayReportHtml(timeline, compared);
  const fleet = runFleet({
    tunnels: 60, durationMs: DAY_MS, model: builtinModel('wifi-flaky')!, seed: 3,
    config: { ...DEFAULT_FLEET_CONFIG, env: { AUTOSSH_GATETIME: '30', AUTOSSH_MAXSTART: '3' } },
  });
  const fleetHtml = fleetReportHtml(fleet);
  // Recorded with `autossh-lab chaos --schedule server-restart --compare /usr/lib/autossh/autossh --json`.
  const { format: _format, ...chaos } = JSON.parse(readFileSync('test/report/fixtures/chaos-server-restart.json', 'utf8')) as ChaosResult & { format: string };
  const chaosHtml = chaosReportHtml(chaos);
  return {
    timeline, compared, fleet, chaos,
    pages: { replay: replayHtml, compare: compareHtml, fleet: fleetHtml, chaos: chaosHtml },
  };
}
