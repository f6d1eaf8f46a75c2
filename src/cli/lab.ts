#!/usr/bin/env node
// autossh-lab: the toolkit around the machine (simulation, replay, chaos).
import { Command } from 'commander';
import { VERSION } from './help.js';
import { registerScenario } from './lab/scenario.js';
import { registerToxiproxy } from './lab/toxiproxy.js';
import { registerChaos } from './lab/chaos.js';
import { registerImport } from './lab/import.js';
import { registerInspect } from './lab/inspect.js';
import { registerReplay } from './lab/replay.js';
import { registerSimulate } from './lab/simulate.js';

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
