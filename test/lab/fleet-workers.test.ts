// `simulate --workers N` and `simulate --shard I/N` + `merge` through the built CLI (npm run
// build): the same figures, byte for byte, whatever the threads or machines; bad shard sets are
// refused with exit 2 and the file named.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'fleet-workers-'));
const model = join(dir, 'storms.json');
writeFileSync(model, JSON.stringify({
  name: 'storms',
  faults: [{ kind: 'outage', mode: 'blackhole', perDay: 40, duration: { dist: 'lognormal', median: '20s', sigma: 1, max: '10m' } }],
  correlated: [{ kind: 'serverRestart', perDay: 24, fraction: 0.4, duration: { dist: 'fixed', value: '1m' } }],
}));
const fleet = ['--tunnels', '24', '--duration', '12h', '--faults', model, '--seed', '9', '--no-progress', '--set', 'AUTOSSH_POLL=60'];

function simulate(out: string, ...more: string[]): string {
  const run = lab('simulate', ...fleet, '--json', join(dir, out), ...more);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('simulate --workers', () => {
  it('1, 2 and 4 workers give byte-identical JSON and text', () => {
    const text = [1, 2, 4].map((n) => simulate(`w${n}.json`, '--workers', String(n)));
    const json = [1, 2, 4].map((n) => readFileSync(join(dir, `w${n}.json`), 'utf8'));
    expect(text[1]).toBe(text[0]);
    expect(text[2]).toBe(text[0]);
    expect(json[1]).toBe(json[0]);
    expect(json[2]).toBe(json[0]);
    expect(JSON.parse(json[0]!).faults.correlatedEvents).toBeGreaterThan(3);
  });
});

describe('simulate --shard and merge', () => {
  it('3 shards merged give the one run\'s JSON and text, byte for byte', () => {
    const whole = simulate('whole.json', '--workers', '1');
    for (const i of [0, 1, 2]) expect(simulate(`s${i}.json`, '--shard', `${i}/3`, '--workers', '2')).toContain(`fleet shard ${i}/3: tunnels`);
    const merged = lab('merge', join(dir, 's2.json'), join(dir, 's0.json'), join(dir, 's1.json'), '--json', join(dir, 'merged.json'));
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(whole);
    expect(readFileSync(join(dir, 'merged.json'), 'utf8')).toBe(readFileSync(join(dir, 'whole.json'), 'utf8'));
  });

  it('refuses a missing shard, an overlap and another seed, naming the file; exit 2', () => {
    for (const i of [0, 1, 2]) simulate(`t${i}.json`, '--shard', `${i}/3`, '--workers', '1');
    const other = lab('simulate', ...fleet, '--seed', '10', '--shard', '1/3', '--workers', '1', '--json', join(dir, 'seed10.json'));
    expect(other.status, other.stderr).toBe(0);
    const cases: [string[], string][] = [
      [['t0.json', 't2.json'], `autossh-lab: tunnels 8..16 are in no file (between ${join(dir, 't0.json')} and ${join(dir, 't2.json')}): a shard is missing (shard 1/3)\n`],
      [['t0.json', 't1.json', 't1.json', 't2.json'], `autossh-lab: ${join(dir, 't1.json')}: tunnels 8..16 overlap ${join(dir, 't1.json')}'s 8..16: each tunnel must be in one shard\n`],
      [['t0.json', 'seed10.json', 't2.json'], `autossh-lab: ${join(dir, 'seed10.json')}: seed 10, but ${join(dir, 't0.json')} has 9: shards of different runs cannot be merged\n`],
      [['t0.json', 'w1.json'], `autossh-lab: ${join(dir, 'w1.json')}: not a fleet shard`],
      [['t0.json', 'nothing.json'], `autossh-lab: ${join(dir, 'nothing.json')}: cannot read it (ENOENT)\n`],
    ];
    for (const [files, message] of cases) {
      const run = lab('merge', ...files.map((f) => join(dir, f)));
      expect(run.stderr.startsWith(message), run.stderr).toBe(true);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
    }
  });

  it('--shard needs --json, and I must be below N', () => {
    expect(lab('simulate', ...fleet, '--shard', '0/2').stderr).toBe('autossh-lab: --shard I/N needs --json FILE: the shard\'s partial figures, for autossh-lab merge\n');
    const run = lab('simulate', ...fleet, '--shard', '3/3');
    expect(run.stderr).toContain("error: option '--shard <I/N>' argument '3/3' is invalid. expected I/N with 0 <= I < N");
    expect(run.status).toBe(2);
  });
});
