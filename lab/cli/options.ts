// Option helpers shared by every autossh-lab subcommand, so repeated options and command strings
// mean the same thing in replay, simulate, import and chaos.
import { parseArgsStringToArgv } from 'string-argv';

/** commander's accumulator for a repeatable option: `--set A=1 --set B=2` -> ['A=1', 'B=2']. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * A command or argument string split as a shell would split it (quotes group, no expansion):
 * `-o "ProxyCommand=ssh -W %h:%p jump" host` -> ['-o', 'ProxyCommand=ssh -W %h:%p jump', 'host'].
 */
export function splitCommandLine(text: string, option: string): string[] {
  const words = parseArgsStringToArgv(text);
  if (words.length === 0) throw new Error(`${option}: empty command`);
  return words;
}
