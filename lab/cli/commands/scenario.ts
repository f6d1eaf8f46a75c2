import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadScenario } from '../../../sim/oracle/scenario.js';
import { checkScenarioWork, scenarioSteps } from '../../../sim/oracle/run-scenario.js';
import { bufferedWriter } from '../../../sim/replay/stream-text.js';
import { interruptible, runSliced } from '../interrupt.js';

export function registerScenario(program: Command): void {
  program
    .command('scenario')
    .description('run an oracle scenario (NAME.scenario.json) in the simulator; write its trace')
    .argument('<file>', 'an oracle scenario file')
    .option('-o, --output <file>', 'write the trace here instead of stdout')
    .action((file: string, options: { output?: string }) => interruptible('scenario', async (signal) => {
      const scenario = loadScenario(file);
      // refused here, before anything is written, when the estimate is past the bound
      const warning = checkScenarioWork(scenario);
      if (warning) process.stderr.write(`autossh-lab scenario: ${warning}\n`);
      if (!options.output) {
        const out = bufferedWriter(1);
        await runSliced(scenarioSteps(scenario, out.write), signal);
        out.flush();
        return;
      }
      // the trace goes to a temp file beside the target, renamed when whole: an error or a
      // signal part way leaves neither a partial trace nor the temp file
      const temp = join(dirname(options.output), `.${basename(options.output)}.${process.pid}.tmp`);
      let fd: number | null = openSync(temp, 'w');
      try {
        const out = bufferedWriter(fd);
        await runSliced(scenarioSteps(scenario, out.write), signal);
        out.flush();
        closeSync(fd);
        fd = null;
        renameSync(temp, options.output);
      } catch (error) {
        if (fd !== null) closeSync(fd);
        rmSync(temp, { force: true });
        throw error;
      }
    }));
}
