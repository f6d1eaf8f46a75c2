import type { Command } from 'commander';
import { loadTimeline } from '../../../sim/timeline/load.js';
import { planReplay, runPlan } from '../../../sim/replay/replay-timeline.js';
import { formatComparison, formatSummary, writeReplayJson, writeTrace } from '../../../sim/replay/format.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { bufferedWriter, streamFileAtomic } from '../../../sim/replay/stream-text.js';
import { replayReportHtml } from '../../../sim/report/replay-report.js';
import { formatLogCheck } from '../../../sim/replay/check-log.js';
import { interruptible, runSliced } from '../interrupt.js';
import { collect } from '../options.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay an incident timeline on a virtual clock: decision trace, downtime, recovery')
    .argument('<timeline>', 'a timeline file (docs/timeline-format.md)')
    .option('--set <NAME=VALUE>', 'override an AUTOSSH_* variable (repeatable)', collect, [])
    .option('--json <file>', 'write decisions and summary as JSON')
    .option('--compare <config>', 'also run this configuration (repeatable): "AUTOSSH_POLL=60", "-M 0 -o ServerAliveInterval=15", FILE.json', collect, [])
    .option('--report <file>', 'write a self-contained HTML timeline plot of the incident (up to the last thing that happened)')
    .option('--report-tail', 'in --report, draw the whole replayed time, the quiet tail after the incident too')
    .option('--quiet', 'print the summary only, not the trace')
    .action((file: string, options: { set: string[]; json?: string; compare: string[]; report?: string; reportTail?: boolean; quiet?: boolean }) => interruptible('replay', async (signal) => {
      const timeline = loadTimeline(file);
      // refused here, before anything runs, when the estimate is past the bound
      const plan = planReplay(timeline, options.set, options.compare);
      if (plan.warning) process.stderr.write(`autossh-lab replay: ${plan.warning}\n`);
      const results = await runSliced(runPlan(plan), signal);
      // a year's trace is streamed out, never held as one string
      const out = bufferedWriter(1);
      if (timeline.unknowns.length > 0) out.write(`not known from the source:\n${timeline.unknowns.map((u) => `  - ${u}`).join('\n')}\n\n`);
      for (const result of results) {
        if (!options.quiet) {
          writeTrace(timeline, result, out.write);
          out.write('\n');
        }
        out.write(formatSummary(timeline, result));
        if (result.logCheck) out.write(formatLogCheck(result.logCheck));
        out.write('\n');
      }
      if (results.length > 1) out.write(formatComparison(results));
      out.flush();
      if (options.json) streamFileAtomic(options.json, (write) => writeReplayJson(timeline, results, write));
      if (options.report) writeFileAtomic(options.report, replayReportHtml({ ...timeline, facts: results[0]!.facts }, results, { wholeAxis: options.reportTail === true }));
      const first = results[0]!;
      if (first.setupError) process.exitCode = 1;
    }));
}
