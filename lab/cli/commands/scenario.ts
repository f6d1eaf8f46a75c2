import { closeSync, openSync } from 'node:fs';
import type { Command } from 'commander';
import { loadScenario } from '../../../sim/oracle/scenario.js';
import { streamScenario } from '../../../sim/oracle/run-scenario.js';
import { bufferedWriter } from '../../../sim/replay/stream-text.js';

export function registerScenario(program: Command): void {
  program
    .command('scenario')
    .description('run an oracle scenario (NAME.scenario.json) in the simulator; write its trace')
    .argument('<file>', 'an oracle scenario file')
    .option('-o, --output <file>', 'write the trace here instead of stdout')
    .action((file: string, options: { output?: string }) => {
      const scenario = loadScenario(file);
      const fd = options.output ? openSync(options.output, 'w') : 1;
      try {
        const out = bufferedWriter(fd);
        streamScenario(scenario, out.write);
        out.flush();
      } finally {
        if (options.output) closeSync(fd);
      }
    });
}
