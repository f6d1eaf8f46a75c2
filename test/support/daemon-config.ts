// DaemonConfig objects for tests, built as the loader builds them: every tunnel's args and env
// through the drop-in's own parser. (The TOML side is the loader's, tested on its own.)
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFileError, type DaemonConfig, type TunnelDefinition } from '../../src/daemon/config/types.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from '../../src/daemon/restart-policy.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';

export interface TunnelSpec {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** the restart policy, over the daemon's defaults; none: the definition has none (the default applies) */
  restart?: Partial<RestartPolicy>;
}

export function tunnelDefinition(spec: TunnelSpec, index = 0): TunnelDefinition {
  const env = spec.env ?? {};
  const outcome = parseCommandLine(spec.args, env, index + 1);
  if (outcome.kind !== 'run') throw new Error(`tunnel ${spec.name}: ${JSON.stringify(outcome)}`);
  const sortedEnv = Object.entries(env).sort(([a], [b]) => a.localeCompare(b));
  return {
    name: spec.name,
    args: spec.args,
    env,
    config: outcome.config,
    notices: outcome.notices,
    definitionKey: JSON.stringify([spec.args, sortedEnv]),
    ...(spec.restart ? { restart: { ...DEFAULT_RESTART_POLICY, ...spec.restart } } : {}),
  };
}

export function daemonConfig(path: string, specs: TunnelSpec[], logFormat: 'text' | 'json' = 'text'): DaemonConfig {
  return { path, status: null, logFormat, tunnels: specs.map((spec, i) => tunnelDefinition(spec, i)) };
}

/** An executable shell script standing in for ssh (AUTOSSH_PATH). */
export function fakeSsh(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** The message of the ConfigFileError `load` throws; anything else (or nothing thrown) fails the test. */
export function configErrorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigFileError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigFileError, the file loaded');
}

/** Never leave an ssh behind, whatever the test did: a daemon still running gets SIGTERM, and its exit is awaited. */
export async function stopIfRunning(harness: { daemon: { readonly done: boolean; signal(signal: 'SIGTERM'): void }; exitCode: Promise<number> } | null): Promise<void> {
  if (harness === null || harness.daemon.done) return;
  harness.daemon.signal('SIGTERM');
  await harness.exitCode;
}
