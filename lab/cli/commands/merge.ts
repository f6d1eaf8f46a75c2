import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fleetJson, formatFleet } from '../../../sim/fleet/format.js';
import { MergeError, mergeShards, parsePartial } from '../../../sim/fleet/partial-format.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { fleetReportHtml } from '../../../sim/report/fleet-report.js';

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
          text = readFileSync(file, 'utf8');
        } catch (error) {
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
