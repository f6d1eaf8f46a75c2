import type { Command } from 'commander';
import { fleetJson, formatFleet } from '../../../sim/fleet/format.js';
import { MergeError, mergeShards, parsePartial } from '../../../sim/fleet/partial-format.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { InputTooLargeError, readTextBounded } from '../../../sim/schema/read-bounded.js';
import { fleetReportHtml } from '../../../sim/report/fleet-report.js';

/** a shard of 100,000 tunnels is a few MiB */
const MAX_SHARD_BYTES = 256 << 20;

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine `simulate --shard I/N` results into the whole fleet\'s figures, exactly as one simulate run')
    .argument('<files...>', 'shard files written by simulate --shard I/N --json FILE (any order)')
    .option('--json <file>', 'write the figures as JSON')
    .option('--report <file>', 'write an HTML report with the downtime histogram')
    .action((files: string[], options: { json?: string; report?: string }) => {
      const shards = files.map((file) => {
        let text: string;
        try {
          text = readTextBounded(file, MAX_SHARD_BYTES);
        } catch (error) {
          if (error instanceof InputTooLargeError) throw new MergeError(`${file}: ${error.message}`);
          throw new MergeError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        }
        return parsePartial(text, file);
      });
      const result = mergeShards(shards);
      process.stdout.write(formatFleet(result));
      if (options.json) writeFileAtomic(options.json, fleetJson(result));
      if (options.report) writeFileAtomic(options.report, fleetReportHtml(result));
    });
}
