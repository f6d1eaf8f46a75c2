#!/usr/bin/env node
// autossh-lab: the toolkit around the machine (simulation, replay, chaos).
import { Command } from 'commander';
import { VERSION } from '../../src/cli/help.js';
import { registerScenario } from './commands/scenario.js';
import { registerToxiproxy } from './commands/toxiproxy.js';
import { registerChaos } from './commands/chaos.js';
import { registerImport } from './commands/import.js';
import { registerInspect } from './commands/inspect.js';
import { registerReplay } from './commands/replay.js';
import { registerSimulate } from './commands/simulate.js';

const program = new Command('autossh-lab')
  .description('autossh-ts lab: simulate, replay and chaos-test ssh tunnel supervision')
  .version(VERSION);

registerScenario(program);
registerToxiproxy(program);
registerChaos(program);
registerReplay(program);
registerSimulate(program);
registerImport(program);
registerInspect(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`autossh-lab: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
