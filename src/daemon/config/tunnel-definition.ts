// One [[tunnel]] entry -> a TunnelDefinition: its environment merged, its command line parsed by
// the drop-in's parser, its identity (name) and its definition (args + environment) fixed.
import { isAbsolute } from 'node:path';
import type { TunnelEntry } from './document.js';
import { quoted } from './echo.js';
import { effectiveEnv } from './env-rules.js';
import type { Locator } from './locator.js';
import { restartPolicyOf, type RestartSettings } from './restart-settings.js';
import { parseTunnel } from './tunnel-outcome.js';
import type { TunnelDefinition } from './types.js';

/** FNV-1a over the name: a reload keeps a tunnel's jitter draws, two names rarely share them */
export function jitterSeedOf(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** Equal keys, equal tunnels: args as given, and the effective environment in name order. */
export function definitionKeyOf(args: readonly string[], env: Readonly<Record<string, string>>): string {
  const sortedEnv = Object.keys(env).sort().map((name) => [name, env[name]]);
  return JSON.stringify({ args, env: sortedEnv });
}

/** Linux's MAX_ARG_STRLEN: exec refuses (E2BIG) any one argument or variable longer than this */
const MAX_EXEC_STRING_BYTES = 128 * 1024;
/** what one ssh command line may weigh in all, well inside exec's ARG_MAX with the environment */
const MAX_EXEC_ARGV_BYTES = 512 * 1024;

/** What exec would refuse, said now, not when the tunnel starts: a NUL byte, an argument too long. */
function execProblem(args: readonly string[], env: Readonly<Record<string, string>>): string | null {
  let total = 0;
  for (const [what, text] of [...args.map((arg, i) => [`args[${i}]`, arg] as const), ...Object.entries(env)]) {
    if (text.includes('\0')) return `${what} holds a NUL byte, which no command line can carry`;
    const bytes = Buffer.byteLength(text, 'utf8') + 1;
    if (bytes > MAX_EXEC_STRING_BYTES) return `${what} is ${bytes} bytes: exec takes at most ${MAX_EXEC_STRING_BYTES} in one argument`;
    total += bytes;
  }
  if (total > MAX_EXEC_ARGV_BYTES) return `the command line is ${total} bytes: at most ${MAX_EXEC_ARGV_BYTES} here`;
  return null;
}

/**
 * A relative AUTOSSH_PATH would be found from the daemon's working directory, which is whatever
 * started it (/ under systemd): accepted here, it would fail (or run another program) at every
 * spawn. The drop-in keeps 1.4g's reading of its own environment's AUTOSSH_PATH.
 */
function sshPathProblem(env: Readonly<Record<string, string>>): string | null {
  const sshPath = env.AUTOSSH_PATH;
  if (sshPath === undefined || isAbsolute(sshPath)) return null;
  return `AUTOSSH_PATH ${quoted(sshPath)} is not an absolute path: the daemon's working directory is whatever started it, ` +
    'so write the program\'s full path (e.g. "/usr/bin/ssh"), or leave AUTOSSH_PATH out for ssh from PATH';
}

export function defineTunnel(
  entry: TunnelEntry,
  defaultsEnv: Readonly<Record<string, string>>,
  at: Locator,
  defaultsRestart: RestartSettings = {},
): TunnelDefinition {
  const env = effectiveEnv(defaultsEnv, entry.env);
  const unrunnable = execProblem(entry.args, env);
  if (unrunnable !== null) at.failAtLine(at.lineOf(['tunnel', entry.index, 'args']), `tunnel "${entry.name}": ${unrunnable}`);
  const badSshPath = sshPathProblem(env);
  if (badSshPath !== null) at.failAtLine(variableLine('AUTOSSH_PATH', entry, defaultsEnv, at), `tunnel "${entry.name}": ${badSshPath}`);
  const outcome = parseTunnel(entry.args, env, jitterSeedOf(entry.name));
  if (outcome.kind === 'problem') {
    at.failAtLine(problemLine(outcome.problem, entry, defaultsEnv, at), `tunnel "${entry.name}": ${outcome.problem}`);
  }
  return {
    name: entry.name,
    line: at.lineOf(['tunnel', entry.index]),
    sshPathLine: variableLine('AUTOSSH_PATH', entry, defaultsEnv, at),
    args: entry.args,
    env,
    config: outcome.config,
    notices: outcome.notices,
    autoMonitorPort: outcome.autoMonitorPort,
    definitionKey: definitionKeyOf(entry.args, env),
    restart: restartPolicyOf(defaultsRestart, entry.restart, entry.name, at),
  };
}

/**
 * Where the problem was written: the env line of the variable a message names (the tunnel's
 * own, else [defaults]'s), otherwise the tunnel's args.
 */
function problemLine(problem: string, entry: TunnelEntry, defaultsEnv: Readonly<Record<string, string>>, at: Locator): number | null {
  const variable = /\((AUTOSSH_[A-Z_]+)/.exec(problem)?.[1];
  if (variable !== undefined && (variable in entry.env || variable in defaultsEnv)) return variableLine(variable, entry, defaultsEnv, at);
  return at.lineOf(['tunnel', entry.index, 'args']);
}

/** the line of the variable the tunnel runs with: its own env's, else [defaults]'s; null if neither sets it */
export function variableLine(variable: string, entry: TunnelEntry, defaultsEnv: Readonly<Record<string, string>>, at: Locator): number | null {
  if (variable in entry.env) return at.lineOf(['tunnel', entry.index, 'env', variable]);
  if (variable in defaultsEnv) return at.lineOf(['defaults', 'env', variable]);
  return null;
}
