// How 1.4g (Debian build) turns its own (permuted) argv into ssh's: the first `--` is
// autossh's, `-M x` is dropped, the monitor forwards go first (Debian), every `-f` is stripped out of combined flags, empty arguments vanish.
import type { Monitor } from './types.js';
import type { OptionTable } from './ssh-options.js';

export const MONITOR_HOST = '127.0.0.1';

export function monitorForwards(monitor: Monitor | null): string[] {
  if (!monitor) return [];
  if (monitor.form === 'echo') return ['-L', `${monitor.writePort}:${MONITOR_HOST}:${monitor.echoPort}`];
  return [
    '-L', `${monitor.writePort}:${MONITOR_HOST}:${monitor.writePort}`,
    '-R', `${monitor.writePort}:${MONITOR_HOST}:${monitor.readPort}`,
  ];
}

export function buildSshArgv(
  sshPath: string,
  permuted: readonly string[],
  monitor: Monitor | null,
  forwardsFirst: boolean,
  table: OptionTable,
): string[] {
  const argv = [sshPath];
  const forwards = monitorForwards(monitor);
  let sawArgStop = false;
  let forwardsDone = false;
  const addForwards = (): void => {
    if (monitor && !forwardsDone) argv.push(...forwards);
    forwardsDone = true;
  };
  for (let i = 0; i < permuted.length; i++) {
    const arg = permuted[i]!;
    if (arg.startsWith('--') && !sawArgStop) {
      sawArgStop = true;
      continue;
    }
    if (!sawArgStop && arg.startsWith('-M')) {
      if (arg.length === 2) i++;
      addForwards();
      continue;
    }
    if (forwardsFirst && !forwardsDone) addForwards();
    const stripped = stripFlag(arg, 'f', table);
    if (stripped !== '') argv.push(stripped);
  }
  return argv;
}

/**
 * 1.4g's strip_arg, quirks included: it walks the option cluster, stops at the first letter
 * that takes a value (what follows is that value), and deletes each `f`; after a deletion it
 * skips the next letter, so `-ff` keeps one `f`. A cluster left as `-` becomes empty.
 */
export function stripFlag(arg: string, flag: string, table: OptionTable): string {
  if (arg[0] !== '-' || arg.length < 2) return arg;
  const chars = [...arg];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (table.has(c) && table.takesValue(c)) break;
    if (c === flag) chars.splice(i, 1);
  }
  const out = chars.join('');
  return out === '-' ? '' : out;
}
