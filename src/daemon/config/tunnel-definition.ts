// One [[tunnel]] entry -> a TunnelDefinition: its environment merged, its command line parsed by
// the drop-in's parser, its identity (name) and its definition (args + environment) fixed.
import type { TunnelEntry } from './document.js';
import { effectiveEnv } from './env-rules.js';
import type { Locator } from './locator.js';
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

export function defineTunnel(entry: TunnelEntry, defaultsEnv: Readonly<Record<string, string>>, at: Locator): TunnelDefinition {
  const env = effectiveEnv(defaultsEnv, entry.env);
  const outcome = parseTunnel(entry.args, env, jitterSeedOf(entry.name));
  if (outcome.kind === 'problem') {
    at.failAtLine(problemLine(outcome.problem, entry, defaultsEnv, at), `tunnel "${entry.name}": ${outcome.problem}`);
  }
  return {
    name: entry.name,
    line: at.lineOf(['tunnel', entry.index]),
    args: entry.args,
    env,
    config: outcome.config,
    notices: outcome.notices,
    autoMonitorPort: outcome.autoMonitorPort,
    definitionKey: definitionKeyOf(entry.args, env),
  };
}

/**
 * Where the problem was written: the env line of the variable a message names (the tunnel's
 * own, else [defaults]'s), otherwise the tunnel's args.
 */
function problemLine(problem: string, entry: TunnelEntry, defaultsEnv: Readonly<Record<string, string>>, at: Locator): number | null {
  const variable = /\((AUTOSSH_[A-Z_]+)/.exec(problem)?.[1];
  if (variable !== undefined) {
    if (variable in entry.env) return at.lineOf(['tunnel', entry.index, 'env', variable]);
    if (variable in defaultsEnv) return at.lineOf(['defaults', 'env', variable]);
  }
  return at.lineOf(['tunnel', entry.index, 'args']);
}
