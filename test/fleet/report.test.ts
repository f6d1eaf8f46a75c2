import { describe, expect, it } from 'vitest';
import { runFleet, DEFAULT_FLEET_CONFIG } from '../../sim/fleet/run-fleet.js';
import { builtinModel } from '../../sim/fleet/builtin-models.js';
import { fleetReportHtml } from '../../sim/report/fleet-report.js';

describe('fleet HTML report', () => {
  it('has the downtime histogram as an inline SVG', () => {
    const r = runFleet({ tunnels: 10, durationMs: 86_400_000, model: builtinModel('datacenter')!, seed: 2, config: DEFAULT_FLEET_CONFIG });
    const html = fleetReportHtml(r);
    expect(html).toContain('<svg');
    expect(html.match(/tunnels<\/title>/g)).toHaveLength(40);
  });
});
