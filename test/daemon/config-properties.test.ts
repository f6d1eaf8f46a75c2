import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAEMON_DEFAULT_ENV } from '../../src/daemon/config/env-rules.js';
import { parseDaemonConfig } from '../../src/daemon/config/parse.js';
import { jitterSeedOf } from '../../src/daemon/config/tunnel-definition.js';
import { ConfigFileError } from '../../src/daemon/config/types.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';

// Generated files: tunnels with their own ports, env in every layout TOML allows, args as an
// array or as one string.
type Env = Record<string, string>;
interface GenTunnel { name: string; args: string[]; env: Env; argsAsString: boolean; envAsTable: boolean }
interface GenFile { defaults: Env; tunnels: GenTunnel[] }

const envGen = fc.record(
  {
    AUTOSSH_POLL: fc.integer({ min: 1, max: 3600 }).map(String),
    AUTOSSH_MAXSTART: fc.integer({ min: -1, max: 100 }).map(String),
    AUTOSSH_LIVENESS: fc.constantFrom('0', '1'),
    AUTOSSH_JITTER: fc.integer({ min: 0, max: 60 }).map(String),
    AUTOSSH_MESSAGE: fc.constantFrom('hello', 'a "quoted" word', "it's"),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Env>;

function tunnelGen(index: number): fc.Arbitrary<GenTunnel> {
  const monitor = fc.constantFrom(['-M', '0'], ['-M', String(20000 + 4 * index)], ['-M', `${20002 + 4 * index}:7`]);
  const extra = fc.subarray(['-N', '-T', '-o', 'ServerAliveInterval=15', '-L', `${10000 + index}:db.internal:5432`, '-D', `${30000 + index}`]);
  return fc.record({
    name: fc.constantFrom('db', 'web', 'tunnel-x', 'a.b_c').map((n) => `${n}${index}`),
    args: fc.tuple(monitor, extra).map(([m, e]) => [...m, ...wellFormed(e), `user@host${index}`]),
    env: envGen,
    argsAsString: fc.boolean(),
    envAsTable: fc.boolean(),
  });
}

/** -o and -L take the next word: keep each with its value */
function wellFormed(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '-o' || args[i] === '-L' || args[i] === '-D') && (args[i + 1] === undefined || args[i + 1]!.startsWith('-'))) continue;
    out.push(args[i]!);
  }
  return out;
}

const fileGen: fc.Arbitrary<GenFile> = fc.integer({ min: 1, max: 6 }).chain((count) =>
  fc.record({ defaults: envGen, tunnels: fc.tuple(...Array.from({ length: count }, (_, i) => tunnelGen(i))) }));

const tomlString = (s: string): string => JSON.stringify(s);
const inlineEnv = (env: Env): string => `{ ${Object.entries(env).map(([k, v]) => `${k} = ${tomlString(v)}`).join(', ')} }`;

function render(file: GenFile, order: number[] = file.tunnels.map((_, i) => i)): string {
  const out: string[] = [];
  if (Object.keys(file.defaults).length > 0) out.push('[defaults]', `env = ${inlineEnv(file.defaults)}`, '');
  for (const i of order) {
    const t = file.tunnels[i]!;
    out.push('[[tunnel]]', `name = ${tomlString(t.name)}`);
    out.push(t.argsAsString ? `args = ${tomlString(t.args.join(' '))}` : `args = [${t.args.map(tomlString).join(', ')}]`);
    const entries = Object.entries(t.env);
    if (entries.length > 0) {
      if (t.envAsTable) out.push('[tunnel.env]', ...entries.map(([k, v]) => `${k} = ${tomlString(v)}`));
      else out.push(`env = ${inlineEnv(t.env)}`);
    }
    out.push('');
  }
  return out.join('\n');
}

describe('generated files', () => {
  it('load, and each tunnel is what the drop-in\'s parser makes of its args and merged env', () => {
    fc.assert(
      fc.property(fileGen, (file) => {
        const config = parseDaemonConfig(render(file), 'gen.toml');
        expect(config.tunnels.map((t) => t.name)).toEqual(file.tunnels.map((t) => t.name));
        config.tunnels.forEach((tunnel, i) => {
          const gen = file.tunnels[i]!;
          const env = { ...DAEMON_DEFAULT_ENV, ...file.defaults, ...gen.env };
          expect(tunnel.args).toEqual(gen.args);
          expect(tunnel.env).toEqual(env);
          const dropIn = parseCommandLine(gen.args, env, jitterSeedOf(gen.name));
          expect(dropIn).toEqual({ kind: 'run', config: tunnel.config, notices: tunnel.notices });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keep every tunnel\'s definitionKey whatever the order of the tunnels and the layout of args and env', () => {
    fc.assert(
      fc.property(fileGen, fc.infiniteStream(fc.boolean()), (file, flips) => {
        const keysOf = (text: string): Record<string, string> =>
          Object.fromEntries(parseDaemonConfig(text, 'gen.toml').tunnels.map((t) => [t.name, t.definitionKey]));
        const reordered: GenFile = {
          defaults: Object.fromEntries(Object.entries(file.defaults).reverse()),
          tunnels: file.tunnels.map((t) => ({ ...t, env: Object.fromEntries(Object.entries(t.env).reverse()), argsAsString: flips.next().value, envAsTable: flips.next().value })),
        };
        const order = file.tunnels.map((_, i) => i).reverse();
        expect(keysOf(render(reordered, order))).toEqual(keysOf(render(file)));
      }),
      { numRuns: 100 },
    );
  });

  it('name the line of a key that does not belong, wherever it is put', () => {
    const expectedProblem: Record<string, string> = {
      top: 'unknown key "strayKey" in the file\'s top level',
      '[defaults]': 'unknown key "strayKey" in [defaults]',
      '[[tunnel]]': 'unknown key "strayKey" in [[tunnel]] number',
      '[tunnel.env]': '"strayKey" is not an AUTOSSH_* variable',
    };
    fc.assert(
      fc.property(fileGen, fc.nat(), (file, pick) => {
        const rows = render(file).split('\n');
        // every row holds one whole key or header: a key fits before any of them
        const row = pick % (rows.length + 1);
        const table = rows.slice(0, row).reverse().find((r) => r.startsWith('[')) ?? 'top';
        rows.splice(row, 0, 'strayKey = "x"');
        try {
          parseDaemonConfig(rows.join('\n'), 'gen.toml');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigFileError);
          expect((error as ConfigFileError).line).toBe(row + 1);
          expect((error as ConfigFileError).message).toContain(expectedProblem[table]);
          return;
        }
        throw new Error('a stray key loaded');
      }),
      { numRuns: 200 },
    );
  });
});
