import type { Command } from 'commander';
import { loadTimeline } from '../../../sim/timeline/load.js';
import { replayAll } from '../../../sim/replay/replay-timeline.js';
import { formatComparison, formatSummary, formatTrace, replayJson } from '../../../sim/replay/format.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { replayReportHtml } from '../../../sim/report/replay-report.js';
import { collect } from '../options.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay an incident timeline on a virtual clock: decision trace, downtime, recovery')
    .argument('<timeline>', 'a timeline file (docs/timeline-format.md)')
    .option('--set <NAME=VALUE>', 'override an AUTOSSH_* variable (repeatable)', collect, [])
    .option('--json <file>', 'write decisions and summary as JSON')
    .option('--compare <config...>', 'also run these configurations: "AUTOSSH_POLL=60", "-M 0 -o ServerAliveInterval=15", FILE.json')
    .option('--report <file>', 'write a self-contained HTML timeline plot')
    .option('--quiet', 'print the summary only, not the trace')
    .action((file: string, options: { set: string[]; json?: string; compare?: string[]; report?: string; quiet?: boolean }) => {
      const timeline = loadTimeline(file);
      const results = replayAll(timeline, options.set, options.compare ?? []);
      let out = '';
      if (timeline.unknowns.length > 0) out += `not known from the source:\n${timeline.unknowns.map((u) => `  - ${u}`).join('\n')}\n\n`;
      for (const result of results) {
        if (!options.quiet) out += `${formatTrace(timeline, result)}\n`;
        out += `${formatSummary(timeline, result)}\n`;
      }
      if (results.length > 1) out += formatComparison(results);
      process.stdout.write(out);
      if (options.json) writeFileAtomic(options.json, replayJson(timeline, results));
      if (options.report) writeFileAtomic(options.report, replayReportHtml(timeline, results));
      const first = results[0]!;
      if (first.setupError) process.exitCode = 1;
    });
}
