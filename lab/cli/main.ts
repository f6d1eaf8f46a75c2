// autossh-lab's command line: every subcommand, and what stderr says and the exit status when one throws.
// Loaded by lab.ts, which catches a failure to load it.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../../src/cli/help.js';
import { registerScenario } from './commands/scenario.js';
import { registerToxiproxy } from './commands/toxiproxy.js';
import { registerChaos } from './commands/chaos.js';
import { registerImport } from './commands/import.js';
import { registerInspect } from './commands/inspect.js';
import { registerReplay } from './commands/replay.js';
import { registerSimulate } from './commands/simulate.js';
import { registerMerge } from './commands/merge.js';
import { registerStatus } from './commands/status.js';
import { describeFailure, EXIT_USAGE, exitStatusOf } from './exit-status.js';

const program = new Command('autossh-lab')
  .description('autossh-ts lab: simulate, replay and chaos-test ssh tunnel supervision')
  .version(VERSION)
  // commander exits 1 on a usage error; the lab's usage errors, like its bad input, exit 2.
  // Set before the subcommands are added: they copy it.
  .exitOverride();

registerScenario(program);
registerToxiproxy(program);
registerChaos(program);
registerReplay(program);
registerSimulate(program);
registerMerge(program);
registerImport(program);
registerInspect(program);
registerStatus(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander has said what was wrong (or printed the help or version, exit code 0)
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
    return;
  }
  process.stderr.write(`autossh-lab: ${describeFailure(error)}\n`);
  process.exitCode = exitStatusOf(error);
});
