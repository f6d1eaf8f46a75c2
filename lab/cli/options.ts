// Option helpers shared by every autossh-lab subcommand, so repeated options, command strings,
// numbers and durations mean the same thing in replay, simulate, import and chaos. The parsers
// throw commander's InvalidArgumentError, so a bad value reads
//   error: option '--tunnels <n>' argument 'abc' is invalid. expected a whole number from 1 to 100000
import { InvalidArgumentError } from 'commander';
import { parseArgsStringToArgv } from 'string-argv';
import { parseDurationMs } from '../../sim/schema/duration.js';
import { formatDuration } from '../../sim/timeline/duration.js';

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

/** commander's parser for a whole number from `min` to `max`. */
export function wholeNumberFrom(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** commander's parser for a duration ("30d", "12h", "90m"; a bare number is seconds) up to `maxMs`, in ms. */
export function durationUpTo(maxMs: number): (text: string) => number {
  return (text) => {
    const ms = parseDurationMs(text, 'seconds');
    if (ms === null || ms <= 0 || ms > maxMs) {
      throw new InvalidArgumentError(`expected a duration like 30d, 12h or 90m, more than 0 and at most ${formatDuration(maxMs)}`);
    }
    return ms;
  };
}

/** commander's parser for `--shard I/N`: slice I (0-based, as a Kubernetes JOB_COMPLETION_INDEX) of N. */
export function shardSpec(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 100_000 || index >= count) {
    throw new InvalidArgumentError('expected I/N with 0 <= I < N <= 100000, e.g. 0/3 (I counts from 0, like JOB_COMPLETION_INDEX)');
  }
  return { index, count };
}
