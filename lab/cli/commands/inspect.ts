import type { Command } from 'commander';
import { autosshMachine } from '../../../src/machine/autossh-machine.js';
import { machineDiagram } from '../../../src/machine/diagram.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("print autossh-ts's machine as a Mermaid state diagram: states, events, rules (guards) and actions")
    .action(() => {
      process.stdout.write(machineDiagram(autosshMachine));
    });
}
