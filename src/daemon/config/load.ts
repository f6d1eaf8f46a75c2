// Reads the daemon's file and parses it (parse.ts). Every failure is a ConfigFileError naming the file.
import { readFileSync, statSync } from 'node:fs';
import { parseDaemonConfig } from './parse.js';
import { ConfigFileError, type DaemonConfig } from './types.js';

/** far beyond any real file (10,000 tunnels of 300 bytes fit); a bound on what one read may cost */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function loadDaemonConfig(path: string): DaemonConfig {
  return parseDaemonConfig(readConfigText(path), path);
}

export function readConfigText(path: string): string {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) throw new ConfigFileError(path, null, `the file is ${size} bytes: more than ${MAX_CONFIG_BYTES} is not a configuration`);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof ConfigFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory, not a file' : (error as Error).message;
    throw new ConfigFileError(path, null, `cannot read the configuration file: ${reason}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigFileError(path, null, 'the file is not UTF-8 text (TOML files are UTF-8)');
  }
}

export { parseDaemonConfig } from './parse.js';
