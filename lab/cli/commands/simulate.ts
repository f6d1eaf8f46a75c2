import { Option, type Command } from 'commander';
import { loadFaultModel } from '../../../sim/fleet/load-model.js';
import { DEFAULT_FLEET_CONFIG, MAX_FLEET_DURATION_MS, MAX_TUNNELS, resultOf, sliceOf } from '../../../sim/fleet/run-fleet.js';
import { defaultWorkers, MAX_WORKERS, runFleetParallel } from '../../../sim/fleet/parallel.js';
import { partialJson } from '../../../sim/fleet/partial-format.js';
import { fleetJson, formatFleet } from '../../../sim/fleet/format.js';
import { withSettings } from '../../../sim/replay/config-spec.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { fleetReportHtml } from '../../../sim/report/fleet-report.js';
import { stderrProgress } from '../progress.js';
import { collect, durationUpTo, shardSpec, splitCommandLine, wholeNumberFrom } from '../options.js';

const DEFAULT_DURATION_MS = 30 * 86_400_000;

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a fleet of tunnels under a fault model on one virtual clock')
    .option('--tunnels <n>', 'how many tunnels', wholeNumberFrom(1, MAX_TUNNELS), 100)
    .addOption(new Option('--duration <d>', 'virtual time, e.g. 30d').argParser(durationUpTo(MAX_FLEET_DURATION_MS))
      .default(DEFAULT_DURATION_MS, '30d'))
    .option('--faults <model>', 'wifi-flaky, mobile, datacenter, or a model file (docs/fault-models.md)', 'wifi-flaky')
    .option('--seed <s>', 'PRNG seed: same seed, same numbers', wholeNumberFrom(0, Number.MAX_SAFE_INTEGER), 1)
    .addOption(new Option('--args <args>', 'autossh arguments for every tunnel (quotes group words, as in a shell)')
      .argParser((text) => splitCommandLine(text, '--args'))
      .default([...DEFAULT_FLEET_CONFIG.args], DEFAULT_FLEET_CONFIG.args.join(' ')))
    .option('--set <NAME=VALUE>', 'an AUTOSSH_* variable for every tunnel (repeatable)', collect, [])
    .option('--json <file>', 'write the figures as JSON')
    .option('--report <file>', 'write an HTML report with the downtime histogram')
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(new Option('--workers <n>', 'worker threads sharing the tunnels (the numbers do not depend on it)')
      .argParser(wholeNumberFrom(1, MAX_WORKERS)).default(defaultWorkers(), 'all cores'))
    .option('--shard <I/N>', 'run only slice I (from 0) of N of the tunnels and write its partial figures to --json, '
      + 'for `autossh-lab merge` (docs/fleet-at-scale.md)', shardSpec)
    .action(async (options: {
      tunnels: number; duration: number; faults: string; seed: number; args: string[]; set: string[];
      json?: string; report?: string; progress: boolean; workers: number; shard?: { index: number; count: number };
    }) => {
      if (options.shard && !options.json) throw new Error('--shard I/N needs --json FILE: the shard\'s partial figures, for autossh-lab merge');
      if (options.shard && options.report) throw new Error('--shard I/N cannot draw --report: merge the shards, then `autossh-lab merge --report`');
      const config = withSettings({ name: 'fleet', args: options.args, env: {} }, options.set);
      const progress = stderrProgress(options.progress);
      const fleet = {
        tunnels: options.tunnels, durationMs: options.duration, model: loadFaultModel(options.faults), seed: options.seed, config,
        onProgress: progress ? (f: number) => progress.update(f) : undefined,
      };
      const range = options.shard ? sliceOf(options.tunnels, options.shard.index, options.shard.count) : { from: 0, to: options.tunnels };
      const partial = await runFleetParallel(fleet, range, options.workers);
      progress?.finish();
      if (options.shard) {
        writeFileAtomic(options.json!, partialJson(partial, options.shard));
        process.stdout.write(`fleet shard ${options.shard.index}/${options.shard.count}: tunnels ${range.from}..${range.to} of ${options.tunnels} `
          + `on ${fleet.model.name} (seed ${options.seed}), partial figures in ${options.json}; combine the shards with autossh-lab merge\n`);
        return;
      }
      const result = resultOf(partial);
      process.stdout.write(formatFleet(result));
      if (options.json) writeFileAtomic(options.json, fleetJson(result));
      if (options.report) writeFileAtomic(options.report, fleetReportHtml(result));
    });
}
