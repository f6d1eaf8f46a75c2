// Reads the daemon's file and parses it (parse.ts). Every failure is a ConfigFileError naming the file.
import { readFileSync, statSync } from 'node:fs';
import { quoted } from './echo.js';
import { trustProblem } from './file-trust.js';
import { parseDaemonConfig } from './parse.js';
import { ConfigFileError, type DaemonConfig } from './types.js';

/** far beyond any real file (10,000 tunnels of 300 bytes fit); a bound on what one read may cost */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function loadDaemonConfig(path: string): DaemonConfig {
  return parseDaemonConfig(readConfigText(path), path);
}

const AS_SSH_DOES = 'as ssh refuses keys others can write';

/**
 * The daemon's load, at start and at every reload: the file only if no one but root and the
 * daemon's user (`euid`) can change it, and every AUTOSSH_PATH it sets likewise (./file-trust.ts).
 */
export function loadTrustedDaemonConfig(path: string, euid: number): DaemonConfig {
  const untrusted = trustProblem(path, { euid });
  if (untrusted !== null) throw new ConfigFileError(path, null, `${untrusted}: refusing it, ${AS_SSH_DOES}`);
  const config = loadDaemonConfig(path);
  // tunnels share programs ([defaults]): each is walked once
  const verdicts = new Map<string, string | null>();
  for (const tunnel of config.tunnels) {
    const program = tunnel.env.AUTOSSH_PATH;
    if (program === undefined) continue;
    if (!verdicts.has(program)) verdicts.set(program, trustProblem(program, { euid, missingOk: true }));
    const problem = verdicts.get(program)!;
    if (problem !== null) {
      throw new ConfigFileError(path, tunnel.sshPathLine ?? null, `tunnel "${tunnel.name}": AUTOSSH_PATH ${quoted(program)}: ${problem}: refusing to run it, ${AS_SSH_DOES}`);
    }
  }
  return config;
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
