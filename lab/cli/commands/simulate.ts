import { Option, type Command } from 'commander';
import { loadFaultModel } from '../../../sim/fleet/load-model.js';
import { DEFAULT_FLEET_CONFIG, MAX_FLEET_DURATION_MS, MAX_TUNNELS, resultOf, sliceOf } from '../../../sim/fleet/run-fleet.js';
import { defaultWorkers, MAX_WORKERS, runFleetParallel } from '../../../sim/fleet/parallel.js';
import { partialJson } from '../../../sim/fleet/partial-format.js';
import { fleetJson, formatFleet } from '../../../sim/fleet/format.js';
import { formatRoundedDuration as rounded } from '../../../sim/fleet/rounded-duration.js';
import { applyConfigSpec, withSettings } from '../../../sim/replay/config-spec.js';
import { assertRunnable } from '../../../sim/replay/replay-timeline.js';
import { formatDuration } from '../../../sim/timeline/duration.js';
import type { FleetResult } from '../../../sim/fleet/run-fleet.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { fleetReportHtml } from '../../../sim/report/fleet-report.js';
import { stderrProgress } from '../progress.js';
import { exportTunnel } from '../../../sim/fleet/export-tunnel.js';
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
    .option('--compare <config>', 'also run the same fleet, same faults, with this configuration (repeatable): '
      + '"AUTOSSH_POLL=60", "-M 0 -o ServerAliveInterval=15", FILE.json', collect, [])
    .option('--json <file>', 'write the figures as JSON (with --export-tunnel: the timeline)')
    .option('--export-tunnel <n>', 'write tunnel N (from 0) of this fleet as a timeline, its faults as the whole fleet gives them, '
      + 'for `autossh-lab replay` (to --json FILE, else tunnel-N.timeline.json); nothing else runs', wholeNumberFrom(0, MAX_TUNNELS - 1))
    .option('--report <file>', 'write an HTML report with the downtime histogram (with --compare: one per configuration on shared axes, and a summary table)')
    .option('--no-progress', 'no progress bar on stderr')
    .addOption(new Option('--workers <n>', 'worker threads sharing the tunnels (the numbers do not depend on it)')
      .argParser(wholeNumberFrom(1, MAX_WORKERS)).default(defaultWorkers(), 'all cores'))
    .option('--shard <I/N>', 'run only slice I (from 0) of N of the tunnels and write its partial figures to --json, '
      + 'for `autossh-lab merge` (docs/fleet-at-scale.md)', shardSpec)
    .action(async (options: {
      tunnels: number; duration: number; faults: string; seed: number; args: string[]; set: string[]; compare: string[];
      json?: string; report?: string; progress: boolean; exportTunnel?: number; workers: number; shard?: { index: number; count: number };
    }) => {
      if (options.shard && !options.json) throw new Error('--shard I/N needs --json FILE: the shard\'s partial figures, for autossh-lab merge');
      if (options.shard && options.report) throw new Error('--shard I/N cannot draw --report: merge the shards, then `autossh-lab merge --report`');
      if (options.shard && options.compare.length > 0) throw new Error('--shard I/N cannot --compare: run a shard per configuration');
      const base = { name: 'fleet', args: options.args, env: {} };
      const config = withSettings(base, options.set);
      assertRunnable(config, 'the fleet\'s configuration', options.set);
      const compared = options.compare.map((spec) => withSettings(applyConfigSpec(base, spec), options.set));
      compared.forEach((c, i) => assertRunnable(c, `--compare "${options.compare[i]}"`, options.set));
      const fleetOptions = { tunnels: options.tunnels, durationMs: options.duration, model: loadFaultModel(options.faults), seed: options.seed, config };
      if (options.exportTunnel !== undefined) {
        // one tunnel of this fleet as a timeline: `autossh-lab replay` tells its story
        const exported = exportTunnel(fleetOptions, options.exportTunnel);
        const file = options.json ?? `tunnel-${options.exportTunnel}.timeline.json`;
        writeFileAtomic(file, `${JSON.stringify(exported.timeline, null, 1)}\n`);
        process.stdout.write(`tunnel ${options.exportTunnel} of ${options.tunnels} on ${fleetOptions.model.name} (seed ${options.seed}): `
          + `${exported.faults} faults, ${exported.sshStarts} ssh starts, down ${formatDuration(exported.downtimeMs)}; timeline in ${file}\n`);
        return;
      }
      const progress = stderrProgress(options.progress);
      const fleet = { ...fleetOptions, onProgress: progress ? (f: number) => progress.update(f) : undefined };
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
      // the same fleet, seed and faults under each other configuration
      const others: FleetResult[] = [];
      for (const other of compared) {
        const progressOther = stderrProgress(options.progress);
        const partialOther = await runFleetParallel({ ...fleet, config: other, onProgress: progressOther ? (f: number) => progressOther.update(f) : undefined }, range, options.workers);
        progressOther?.finish();
        others.push(resultOf(partialOther));
        process.stdout.write(`\n${formatFleet(others[others.length - 1]!)}`);
      }
      if (others.length > 0) process.stdout.write(`\n${formatFleetComparison([result, ...others])}`);
      if (options.json) writeFileAtomic(options.json, others.length === 0 ? fleetJson(result) : fleetJsonCompared(result, others));
      // every configuration on the same axes, the fleet's own first
      if (options.report) writeFileAtomic(options.report, fleetReportHtml(result, fleet.model, others));
    });
}

/** one row per configuration: the figures an SRE compares first */
function formatFleetComparison(results: readonly FleetResult[]): string {
  const rows = [['configuration', 'downtime p50', 'p99', 'max', 'ssh starts', 'gave up']];
  for (const r of results) {
    rows.push([
      [...Object.entries(r.config.env).map(([k, v]) => `${k}=${v}`), ...r.config.args].join(' ') || r.config.name,
      rounded(r.downtimeMs.p50), rounded(r.downtimeMs.p99), rounded(r.downtimeMs.max),
      String(r.sshStarts.total), String(r.gaveUp),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return `${rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\n`;
}

/** the fleet's figures as fleetJson writes them, and each compared configuration's under `compared` */
function fleetJsonCompared(result: FleetResult, others: readonly FleetResult[]): string {
  const strip = (r: FleetResult): unknown => {
    const { downtimesMs: _perTunnel, ...figures } = r;
    return figures;
  };
  return `${JSON.stringify({ ...(JSON.parse(fleetJson(result)) as object), compared: others.map(strip) }, null, 1)}\n`;
}

