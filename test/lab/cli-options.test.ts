// autossh-lab's option values are parsed by commander: a bad value is commander's usual error,
// naming the option and the value, before any work starts. Runs the built CLI (npm run build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8' });

describe('autossh-lab option values', () => {
  it.each([
    [['simulate', '--tunnels', 'abc'], "error: option '--tunnels <n>' argument 'abc' is invalid. expected a whole number from 1 to 100000"],
    [['simulate', '--seed', '-1'], "error: option '--seed <s>' argument '-1' is invalid. expected a whole number from 0 to"],
    [['simulate', '--duration', 'soon'], "error: option '--duration <d>' argument 'soon' is invalid. expected a duration like 30d, 12h or 90m"],
    [['import', 'x.log', '--year', '20x4'], "error: option '--year <yyyy>' argument '20x4' is invalid. expected a whole number from 1970 to 9999"],
  ])('%j is refused by commander', (args, message) => {
    const run = lab(...args);
    expect(run.stderr).toContain(message);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('names the model file and the unknown field in it', () => {
    const model = join(mkdtempSync(join(tmpdir(), 'model-')), 'm.json');
    writeFileSync(model, JSON.stringify({ name: 'm', faults: [{ kind: 'outage', perDay: 1, duration: { dist: 'fixed', value: '1s' }, every: '1d' }] }));
    const run = lab('simulate', '--faults', model, '--tunnels', '1', '--duration', '1h');
    expect(run.stderr).toBe(`autossh-lab: ${model}: $.faults[0].every: unknown field (known: kind, mode, perDay, duration)\n`);
    expect(run.status).toBe(2);
  });

  it('passes a quoted value through --args whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
    const run = lab(
      'simulate', '--tunnels', '1', '--duration', '1h', '--faults', 'datacenter', '--no-progress', '--json', join(dir, 'out.json'),
      '--args', '-M 0 -N -o "ProxyCommand=ssh -W %h:%p jump" tunnel@relay',
    );
    expect(run.status, run.stderr).toBe(0);
    const figures = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { config: { args: string[] } };
    expect(figures.config.args).toEqual(['-M', '0', '-N', '-o', 'ProxyCommand=ssh -W %h:%p jump', 'tunnel@relay']);
  });
});
