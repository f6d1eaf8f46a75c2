// "What if": a comparison configuration as a short spec on top of the timeline's own.
//   AUTOSSH_POLL=60                    set an environment variable
//   -M 0   (or -M0)                    replace the monitor option
//   -o ServerAliveInterval=15          replace (or add) an ssh -o option
//   timeline                           the timeline's configuration unchanged
//   FILE.json                          {"name"?, "args", "env"?} replaces it wholesale
// Tokens combine: "-M 0 -o ServerAliveInterval=15 -o ServerAliveCountMax=3". Quotes group words as
// in a shell: -o "ProxyCommand=ssh -W %h:%p jump" is one option.
import { parseArgsStringToArgv } from 'string-argv';
import { jsonPath } from '../schema/issues.js';
import { jsonShapeProblem } from '../schema/json-document.js';
import { readTextBounded } from '../schema/read-bounded.js';
import type { RunConfig } from '../timeline/types.js';

export class ConfigSpecError extends Error {}

/** a configuration is a command line and a few variables */
const MAX_CONFIG_FILE_BYTES = 1 << 20;

export function applyConfigSpec(base: RunConfig, spec: string): RunConfig {
  const trimmed = spec.trim();
  if (trimmed === 'timeline' || trimmed === '') return { ...base, name: 'timeline' };
  if (trimmed.endsWith('.json')) return loadConfigFile(trimmed);
  const tokens = parseArgsStringToArgv(trimmed);
  const env = { ...base.env };
  let monitor: string | null = null;
  const sshOptions: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (/^AUTOSSH_[A-Z_]+=/.test(token)) {
      const eq = token.indexOf('=');
      env[token.slice(0, eq)] = token.slice(eq + 1);
    } else if (token === '-M' || token === '-o') {
      const value = tokens[++i];
      if (value === undefined) throw new ConfigSpecError(`config "${spec}": ${token} needs a value`);
      if (token === '-M') monitor = value;
      else sshOptions.push(value);
    } else if (token.startsWith('-M')) {
      monitor = token.slice(2);
    } else if (token.startsWith('-o')) {
      sshOptions.push(token.slice(2));
    } else {
      throw new ConfigSpecError(
        `config "${spec}": cannot use "${token}" (expected AUTOSSH_NAME=value, -M port, -o Option=value, "timeline" or a FILE.json)`,
      );
    }
  }
  let args = [...base.args];
  if (monitor !== null) args = ['-M', monitor, ...withoutOption(args, 'M', () => true)];
  if (sshOptions.length > 0) {
    const keys = new Set(sshOptions.map(optionKey));
    // OpenSSH takes the first value given: put ours first and drop the old ones
    args = [...sshOptions.flatMap((o) => ['-o', o]), ...withoutOption(args, 'o', (v) => keys.has(optionKey(v)))];
  }
  return { name: trimmed, args, env };
}

function optionKey(option: string): string {
  return (/^\s*([A-Za-z]+)/.exec(option)?.[1] ?? option).toLowerCase();
}

/** args without "-X value" / "-Xvalue" where drop(value), up to the destination */
function withoutOption(args: readonly string[], letter: string, drop: (value: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === `-${letter}` && i + 1 < args.length && drop(args[i + 1]!)) {
      i++;
      continue;
    }
    if (arg.startsWith(`-${letter}`) && arg.length > 2 && drop(arg.slice(2))) continue;
    out.push(arg);
  }
  return out;
}

function loadConfigFile(file: string): RunConfig {
  let value: unknown;
  try {
    value = JSON.parse(readTextBounded(file, MAX_CONFIG_FILE_BYTES));
  } catch (error) {
    throw new ConfigSpecError(`${file}: ${(error as Error).message}`);
  }
  const shape = jsonShapeProblem(value);
  if (shape !== null) throw new ConfigSpecError(`${file}: ${jsonPath(shape.path)}: ${shape.message}`);
  const obj = value as { name?: unknown; args?: unknown; env?: unknown };
  if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.args) || !obj.args.every((a) => typeof a === 'string')) {
    throw new ConfigSpecError(`${file}: $.args: expected an array of strings`);
  }
  const env: Record<string, string> = {};
  if (obj.env !== undefined) {
    if (typeof obj.env !== 'object' || obj.env === null) throw new ConfigSpecError(`${file}: $.env: expected an object`);
    for (const [k, v] of Object.entries(obj.env)) {
      if (typeof v !== 'string') throw new ConfigSpecError(`${file}: $.env.${k}: expected a string`);
      env[k] = v;
    }
  }
  return { name: typeof obj.name === 'string' ? obj.name : file, args: obj.args as string[], env };
}

/** --set NAME=VALUE on top of a configuration's environment */
export function withSettings(config: RunConfig, settings: readonly string[]): RunConfig {
  if (settings.length === 0) return config;
  const env = { ...config.env };
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq <= 0) throw new ConfigSpecError(`--set "${setting}": expected NAME=VALUE, e.g. AUTOSSH_POLL=60`);
    // assigned, "__proto__" would set the object's prototype and vanish
    if (setting.slice(0, eq) === '__proto__') throw new ConfigSpecError(`--set "${setting}": "__proto__" is not an environment variable`);
    env[setting.slice(0, eq)] = setting.slice(eq + 1);
  }
  return { ...config, env };
}
