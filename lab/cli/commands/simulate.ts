import type { Command } from 'commander';
import { parseDurationMs } from '../../../sim/schema/duration.js';
import { loadFaultModel } from '../../../sim/fleet/load-model.js';
import { DEFAULT_FLEET_CONFIG, runFleet } from '../../../sim/fleet/run-fleet.js';
import { fleetJson, formatFleet } from '../../../sim/fleet/format.js';
import { withSettings } from '../../../sim/replay/config-spec.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { fleetReportHtml } from '../../../sim/report/fleet-report.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a fleet of tunnels under a fault model on one virtual clock')
    .option('--tunnels <n>', 'how many tunnels', '100')
    .option('--duration <d>', 'virtual time, e.g. 30d', '30d')
    .option('--faults <model>', 'wifi-flaky, mobile, datacenter, or a model file (docs/fault-models.md)', 'wifi-flaky')
    .option('--seed <s>', 'PRNG seed: same seed, same numbers', '1')
    .option('--args <args>', 'autossh arguments for every tunnel', DEFAULT_FLEET_CONFIG.args.join(' '))
    .option('--set <NAME=VALUE>', 'an AUTOSSH_* variable for every tunnel (repeatable)', collect, [])
    .option('--json <file>', 'write the figures as JSON')
    .option('--report <file>', 'write an HTML report with the downtime histogram')
    .option('--no-progress', 'no progress bar on stderr')
    .action((options: {
      tunnels: string; duration: string; faults: string; seed: string; args: string; set: string[];
      json?: string; report?: string; progress: boolean;
    }) => {
      const durationMs = parseDurationMs(options.duration, 'seconds');
      if (durationMs === null) throw new Error(`--duration: expected a duration like 30d or 12h, got "${options.duration}"`);
      const seed = Number(options.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected a whole number >= 0, got "${options.seed}"`);
      const config = withSettings({ name: 'fleet', args: options.args.trim().split(/\s+/), env: {} }, options.set);
      const showProgress = options.progress && process.stderr.isTTY === true;
      const result = runFleet({
        tunnels: Number(options.tunnels), durationMs, model: loadFaultModel(options.faults), seed, config,
        onProgress: showProgress ? (f) => drawProgress(f) : undefined,
      });
      if (showProgress) process.stderr.write('\n');
      process.stdout.write(formatFleet(result));
      if (options.json) writeFileAtomic(options.json, fleetJson(result));
      if (options.report) writeFileAtomic(options.report, fleetReportHtml(result));
    });
}

function drawProgress(fraction: number): void {
  const width = 40;
  const filled = Math.round(fraction * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}%`);
}
