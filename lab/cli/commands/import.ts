import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { logToTimeline } from '../../../sim/import/log-to-timeline.js';
import { readLogText } from '../../../sim/import/read-log.js';
import { syslogYearFromMtime } from '../../../sim/import/syslog-year.js';
import { writeFileAtomic } from '../../../sim/replay/write-atomic.js';
import { collect, splitCommandLine, wholeNumberFrom } from '../options.js';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('turn an autossh log (1.4g logfile or syslog, or autossh-ts) into a replayable timeline, its configuration read out of the log')
    .argument('<log>', 'the log file')
    .option('-o, --output <file>', 'write the timeline here instead of stdout')
    .option('--args <args>', 'the autossh arguments the logged run used, replacing what the log suggests (quotes group words)',
      (text: string) => splitCommandLine(text, '--args'))
    .option('--set <NAME=VALUE>', 'an AUTOSSH_* variable the logged run had, over what the log suggests (repeatable)', collect, [])
    .option('--year <yyyy>', 'year for classic syslog lines, which carry none (default: the year the log file was last modified)', wholeNumberFrom(1970, 9999))
    .action((file: string, options: { output?: string; args?: string[]; set: string[]; year?: number }) => {
      const text = readLogText(file);
      // a syslog line has no year: the file's last change says when its last line was written
      const mtimeMs = statSync(file).mtimeMs;
      const fromMtime = options.year === undefined ? syslogYearFromMtime(file, text, mtimeMs) : null;
      const year = options.year ?? fromMtime!.firstYear;
      const result = logToTimeline(text, {
        name: file.replace(/^.*\//, '').replace(/\.log$/, ''), file, args: options.args ?? null, settings: options.set, syslogYear: year,
      });
      const json = `${JSON.stringify(result.timeline, null, 1)}\n`;
      if (options.output) writeFileAtomic(options.output, json);
      else process.stdout.write(json);
      const source = result.timeline.source as { inferences: Array<{ setting: string; value: string | null; detail: string; line: number }> };
      const setNames = new Set(options.set.map((s) => s.slice(0, Math.max(0, s.indexOf('=')))));
      const overridden = (setting: string): boolean => setNames.has(setting) || (setting === '-M' && options.args !== undefined);
      const read = source.inferences.map((i) => `  - ${i.setting}${i.value === null ? '' : `=${i.value}`}: ${i.detail} (line ${i.line})`
        + (overridden(i.setting) ? `; overridden by ${i.setting === '-M' ? '--args' : '--set'}` : ''));
      const years = fromMtime && fromMtime.lastYear !== fromMtime.firstYear ? `${fromMtime.firstYear} into ${fromMtime.lastYear}` : String(year);
      const yearNote = fromMtime && result.unknowns.some((u) => u.includes('no year (read as'))
        ? `the syslog lines carry no year: read as ${years}, as ${file} was last modified on ${new Date(mtimeMs).toISOString().slice(0, 10)} `
          + '(its last line was written by then; --year YYYY gives the first line\'s year)\n' : '';
      process.stderr.write(`${yearNote}${result.lines} log lines, ${result.facts} facts; read from the log:\n${read.join('\n') || '  (nothing)'}\n`
        + `not known:\n${result.unknowns.map((u) => `  - ${u}`).join('\n')}\n`);
      for (const warning of result.warnings) process.stderr.write(`autossh-lab import: warning: ${warning}\n`);
    });
}
