// glibc getopt(3) as autossh 1.4g calls it: it PERMUTES argv (options first, then the
// operands), and autossh then rebuilds ssh's argv from that permuted array. So
// `autossh -M 0 host -N` runs `ssh -N host`. POSIXLY_CORRECT stops at the first operand.
import type { OptionTable } from './ssh-options.js';

export type GetoptItem =
  | { kind: 'option'; letter: string; value?: string }
  | { kind: 'unknown'; letter: string }
  | { kind: 'missingValue'; letter: string };

export interface GetoptResult {
  /** the options in the order getopt returned them, up to the first error */
  items: GetoptItem[];
  /** argv after glibc's permutation (argv[0] excluded) */
  permuted: string[];
  /** index into `permuted` of the first operand (C's optind - 1) */
  firstOperand: number;
}

const isOperand = (arg: string): boolean => arg[0] !== '-' || arg.length === 1;

export function getopt(args: readonly string[], table: OptionTable, posixlyCorrect = false): GetoptResult {
  const items: GetoptItem[] = [];
  const optionArgs: string[] = [];
  const operands: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      optionArgs.push(arg);
      i++;
      break;
    }
    if (isOperand(arg)) {
      if (posixlyCorrect) break;
      operands.push(arg);
      continue;
    }
    optionArgs.push(arg);
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      if (!table.has(letter) || letter === ':') {
        items.push({ kind: 'unknown', letter });
        return finish();
      }
      if (!table.takesValue(letter)) {
        items.push({ kind: 'option', letter });
        continue;
      }
      if (j + 1 < arg.length) {
        items.push({ kind: 'option', letter, value: arg.slice(j + 1) });
      } else if (i + 1 < args.length) {
        i++;
        optionArgs.push(args[i]!);
        items.push({ kind: 'option', letter, value: args[i]! });
      } else {
        items.push({ kind: 'missingValue', letter });
        return finish();
      }
      break;
    }
  }
  return finish();

  function finish(): GetoptResult {
    const rest = args.slice(i);
    const permuted = [...optionArgs, ...operands, ...rest];
    return { items, permuted, firstOperand: optionArgs.length };
  }
}
