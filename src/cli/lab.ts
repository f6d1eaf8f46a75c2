#!/usr/bin/env node
// autossh-lab: the toolkit around the machine (simulation, replay, chaos).
import { Command } from 'commander';
import { VERSION } from './help.js';
import { registerScenario } from './lab/scenario.js';
import { registerToxiproxy } from './lab/toxiproxy.js';
import { registerChaos } from './lab/chaos.js';

const program = new Command('autossh-lab')
  .description('autossh-ts lab: simulate, replay and chaos-test ssh tunnel supervision')
  .version(VERSION);

registerScenario(program);
registerToxiproxy(program);
registerChaos(program);
import { registerReplay } from './lab/replay.js'; registerReplay(program);
import { registerSimulate } from './lab/simulate.js'; registerSimulate(program);
import { registerImport } from './lab/import.js'; registerImport(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`autossh-lab: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
