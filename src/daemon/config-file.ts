// The daemon's file as its command line names it (`--config FILE`, `--check-config FILE`), read
// as the start and every reload read it.
import { accessSync, constants, statSync } from 'node:fs';
import { loadTrustedDaemonConfig } from './config/load.js';
import { ConfigFileError, type DaemonConfig } from './config/types.js';
import { withPickedMonitorPorts } from './monitor-ports.js';

export const usage = (option: string): string => `usage: autossh-ts ${option} FILE`;

/** `--config FILE` or `--config=FILE` (or --check-config's), and nothing after it. */
export function configPathOf(args: readonly string[], option = '--config'): { path: string } | { complaint: string } {
  const [first, ...rest] = args;
  let path: string | undefined;
  if (first === option) path = rest.shift();
  else if (first?.startsWith(`${option}=`)) path = first.slice(option.length + 1);
  if (path === undefined || path === '') return { complaint: `option requires an argument -- '${option}'` };
  if (rest.length > 0) return { complaint: `${option} takes one file and nothing else: unexpected "${rest[0]}" (each tunnel's options go in the file)` };
  return { path };
}

/** The loader's first word on a file that is not there or not readable, said plainly. */
export function readableFileError(path: string): ConfigFileError | null {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return new ConfigFileError(path, null, 'is a directory, not a configuration file');
    // a FIFO or a device would block the read, and with it every tunnel's supervision
    if (!stat.isFile()) return new ConfigFileError(path, null, 'is not a regular file');
    accessSync(path, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return new ConfigFileError(path, null, `cannot read the configuration file: ${why}`);
  }
}

/**
 * The whole file validated (and refused if others can write it or the programs it runs), then
 * D13's monitor ports picked for the tunnels that need one. The start and every reload.
 */
export async function loadConfigFile(path: string): Promise<DaemonConfig> {
  const unreadable = readableFileError(path);
  if (unreadable) throw unreadable;
  return withPickedMonitorPorts(loadTrustedDaemonConfig(path, process.geteuid!()));
}
