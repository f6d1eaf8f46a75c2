// A fleet's tunnel exported as a timeline replays to what the fleet measured for it: the same
// downtime to the ms, the same ssh starts, and the give-ups the fleet counted.
import { describe, expect, it } from 'vitest';
import { exportTunnel } from '../../sim/fleet/export-tunnel.js';
import { runFleet, DEFAULT_FLEET_CONFIG, type FleetOptions } from '../../sim/fleet/run-fleet.js';
import { builtinModel } from '../../sim/fleet/builtin-models.js';
import { parseTimelineText } from '../../sim/timeline/load.js';
import { replay } from '../../sim/replay/run-replay.js';

const options: FleetOptions = {
  // wifi-flaky has a correlated outage too: the export must carry the ones that hit the tunnel
  tunnels: 30, durationMs: 86_400_000, model: builtinModel('wifi-flaky')!, seed: 3,
  config: { ...DEFAULT_FLEET_CONFIG, env: { AUTOSSH_GATETIME: '30', AUTOSSH_MAXSTART: '3' } },
};

describe('simulate --export-tunnel', () => {
  it('each tunnel, written as a timeline file and replayed, matches the fleet run', () => {
    const fleet = runFleet(options);
    let gaveUp = 0;
    for (let n = 0; n < options.tunnels; n++) {
      const exported = exportTunnel(options, n);
      const timeline = parseTimelineText(JSON.stringify(exported.timeline), `tunnel-${n}.json`);
      expect(timeline.facts).toHaveLength(exported.faults);
      const replayed = replay(timeline, timeline.config);
      // a replay stops counting when autossh exits on purpose (its starts used up); a fleet counts
      // a tunnel that gave up as down until the end: the same figure, told two ways
      const { downtimeMs, countedUntilMs, durationMs } = replayed.summary;
      expect(downtimeMs + (durationMs - countedUntilMs), `tunnel ${n}`).toBe(fleet.downtimesMs[n]);
      expect(replayed.summary.sshStarts, `tunnel ${n}`).toBe(exported.sshStarts);
      if (replayed.summary.exitCode !== null) gaveUp++;
    }
    expect(gaveUp).toBe(fleet.gaveUp);
    expect(gaveUp).toBeGreaterThan(0);
  });

  it('names a tunnel outside the fleet', () => {
    expect(() => exportTunnel(options, 30)).toThrow('--export-tunnel: expected a tunnel from 0 to 29, got 30');
  });
});
