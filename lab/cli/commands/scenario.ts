import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadScenario } from '../../../sim/oracle/scenario.js';
import { simulateScenario } from '../../../sim/oracle/run-scenario.js';

export function registerScenario(program: Command): void {
  program
    .command('scenario')
    .description('run an oracle scenario (NAME.scenario.json) in the simulator; write its trace')
    .argument('<file>', 'an oracle scenario file')
    .option('-o, --output <file>', 'write the trace here instead of stdout')
    .action((file: string, options: { output?: string }) => {
      const trace = simulateScenario(loadScenario(file));
      const text = `${JSON.stringify(trace, null, 1)}\n`;
      if (options.output) writeFileSync(options.output, text);
      else process.stdout.write(text);
    });
}
