import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { NET_TIMEOUT_CAP_MS, parseCommandLine } from '../../../src/machine/config/parse.js';
import { logToTimeline } from '../../../sim/import/log-to-timeline.js';
import { withSettings } from '../../../sim/replay/config-spec.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { collect, splitCommandLine, wholeNumberFrom } from '../options.js';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('turn an autossh log (1.4g logfile or syslog, or autossh-ts) into a replayable timeline')
    .argument('<log>', 'the log file')
    .option('-o, --output <file>', 'write the timeline here instead of stdout')
    .option('--args <args>', 'the autossh arguments the logged run used (not in the log; quotes group words)',
      (text: string) => splitCommandLine(text, '--args'))
    .option('--set <NAME=VALUE>', 'an AUTOSSH_* variable the logged run had (repeatable)', collect, [])
    .option('--year <yyyy>', 'year for classic syslog lines, which carry none', wholeNumberFrom(1970, 9999), 2000)
    .action((file: string, options: { output?: string; args?: string[]; set: string[]; year: number }) => {
      const config = options.args ? withSettings({ name: 'logged', args: options.args, env: {} }, options.set) : null;
      const parsed = config ? parseCommandLine(config.args, config.env) : null;
      const netTimeoutMs = parsed?.kind === 'run' ? parsed.config.netTimeoutMs : NET_TIMEOUT_CAP_MS;
      const result = logToTimeline(readFileSync(file, 'utf8'), {
        name: file.replace(/^.*\//, '').replace(/\.log$/, ''), config, netTimeoutMs, syslogYear: options.year,
      });
      const text = `${JSON.stringify(result.timeline, null, 1)}\n`;
      if (options.output) writeFileAtomic(options.output, text);
      else process.stdout.write(text);
      process.stderr.write(`${result.lines} log lines, ${result.facts} facts inferred; not inferred:\n${result.unknowns.map((u) => `  - ${u}`).join('\n')}\n`);
    });
}
