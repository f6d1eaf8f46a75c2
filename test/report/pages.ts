// The reports the Chromium test checks and docs/reports/*.png show, each drawn from a real run:
// a replay of a timeline fixture, the same with --compare, a real 1.4g log imported and replayed
// (the 28 s incident of test/fixtures/logs/gate0_maxstart9_grace_info.log), a small fleet, the
// same fleet with two --compare configurations, and a chaos run recorded with
// `autossh-lab chaos --schedule server-restart --compare /usr/lib/autossh/autossh --json`.
import { readFileSync } from 'node:fs';
import { loadTimeline } from '../../sim/timeline/load.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';
import { replayReportHtml } from '../../sim/report/replay-report.js';
import { runFleet, DEFAULT_FLEET_CONFIG } from '../../sim/fleet/run-fleet.js';
import { builtinModel } from '../../sim/fleet/builtin-models.js';
import { fleetReportHtml } from '../../sim/report/fleet-report.js';
import { chaosReportHtml } from '../../lab/chaos/report.js';
import { logToTimeline } from '../../sim/import/log-to-timeline.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
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
  const comparedEnvs: Array<Record<string, string>> = [{ ...fleet.config.env, AUTOSSH_POLL: '60' }, { AUTOSSH_GATETIME: '30' }];
  const fleetCompared = comparedEnvs.map((env) => runFleet({
    tunnels: 60, durationMs: DAY_MS, model: builtinModel('wifi-flaky')!, seed: 3, config: { ...DEFAULT_FLEET_CONFIG, env },
  }));
  const fleetCompareHtml = fleetReportHtml(fleet, builtinModel('wifi-flaky'), fleetCompared);
  // as `autossh-lab import LOG -o t.json && autossh-lab replay t.json --report r.html` makes it
  const log = 'test/fixtures/logs/gate0_maxstart9_grace_info.log';
  const imported = parseTimeline(logToTimeline(readFileSync(log, 'utf8'), { name: 'gate0_maxstart9_grace_info', file: log }).timeline, log);
  const importedResults = replayAll(imported, [], []);
  const importedHtml = replayReportHtml({ ...imported, facts: importedResults[0]!.facts }, importedResults);
  // Recorded with `autossh-lab chaos --schedule server-restart --compare /usr/lib/autossh/autossh --json`.
  const { format: _format, ...chaos } = JSON.parse(readFileSync('test/report/fixtures/chaos-server-restart.json', 'utf8')) as ChaosResult & { format: string };
  const chaosHtml = chaosReportHtml(chaos);
  return {
    timeline, compared, fleet, fleetCompared, imported, importedResults, chaos,
    pages: { replay: replayHtml, compare: compareHtml, imported: importedHtml, fleet: fleetHtml, 'fleet-compare': fleetCompareHtml, chaos: chaosHtml },
  };
}
