// replay (and simulate) from the command line: a timeline imported from a log checks itself
// against the logged decisions; --compare is one repeatable option taking one configuration;
// a configuration autossh refuses is bad input. Runs the built CLI (npx tsc -p tsconfig.json).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8' });
const WIFI = 'test/fixtures/timelines/wifi-evening.json';

function imported(log: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'replay-cli-')), `${log}.json`);
  const run = lab('import', `test/fixtures/logs/${log}.log`, '-o', out);
  expect(run.status, run.stderr).toBe(0);
  return out;
}

describe('replay checks itself against the log it came from', () => {
  it('prints the agreement and carries it in --json', () => {
    const timeline = imported('gate0_maxstart9_grace_debug');
    const json = join(mkdtempSync(join(tmpdir(), 'replay-cli-')), 'out.json');
    const run = lab('replay', timeline, '--quiet', '--json', json);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('log check: reproduces 22 of 22 logged decisions');
    const out = JSON.parse(readFileSync(json, 'utf8')) as { logCheck: { logged: number; reproduced: number; divergence: unknown } };
    expect(out.logCheck).toEqual({ logged: 22, reproduced: 22, divergence: null });
  });

  it('names the first divergence and the setting likely missing', () => {
    // the case: the gate put back to its default contradicts the log at the first exit
    const run = lab('replay', imported('gate0_maxstart9_grace_info'), '--quiet', '--set', 'AUTOSSH_GATETIME=30');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('log check: reproduces 1 of 19 logged decisions; they part at decision 2:');
    expect(run.stdout).toContain('log line 4 at +00:00:00.000: "ssh exited with error status 255; restarting ssh"');
    expect(run.stdout).toContain('"ssh exited prematurely with status 255; autossh exiting"');
    expect(run.stdout).toContain('likely missing setting: AUTOSSH_GATETIME=0');
  });

  it('stops counting downtime when autossh exits on purpose', () => {
    const run = lab('replay', imported('gate0_every2s_maxstart5_info'), '--quiet');
    expect(run.stdout).toMatch(/tunnel downtime {2}2\.2s \(22\.000% of the 10s until autossh exited on purpose\)/);
  });
});

describe('--compare: a repeatable option, one configuration each time', () => {
  it('takes "-M 0 ..." as a value, before or after the timeline', () => {
    for (const args of [
      ['replay', WIFI, '--quiet', '--compare', '-M 0 -o ServerAliveInterval=15', '--compare', 'AUTOSSH_POLL=60'],
      ['replay', '--compare', '-M 0 -o ServerAliveInterval=15', '--compare=AUTOSSH_POLL=60', WIFI, '--quiet'],
      // a variadic option would swallow the timeline here
      ['replay', '--compare', '-M 0 -o ServerAliveInterval=15', '--compare', 'AUTOSSH_POLL=60', WIFI, '--quiet'],
    ]) {
      const run = lab(...args);
      expect(run.status, run.stderr).toBe(0);
      const table = run.stdout.slice(run.stdout.indexOf('configuration  '));
      expect(table.split('\n').filter((l) => l !== '').map((l) => l.split(/ {2,}/)[0])).toEqual(
        ['configuration', 'timeline', '-M 0 -o ServerAliveInterval=15', 'AUTOSSH_POLL=60'],
      );
    }
  });

  it('is the same grammar in replay, simulate and chaos: repeatable, one value each time, never variadic', () => {
    for (const command of ['replay', 'simulate', 'chaos']) {
      const help = lab(command, '--help').stdout;
      const options = help.split('\n').filter((l) => /^\s+(-\w, )?--/.test(l));
      expect(options.some((l) => /--compare <\w+>/.test(l)), command).toBe(true);
      expect(options.filter((l) => /\.\.\.[>\]]/.test(l)), command).toEqual([]);
    }
  });

  it('simulate has it too: the same fleet under each configuration', () => {
    const json = join(mkdtempSync(join(tmpdir(), 'simulate-cmp-')), 'f.json');
    const run = lab('simulate', '--tunnels', '3', '--duration', '1d', '--workers', '1', '--no-progress',
      '--compare', '-M 0 -o ServerAliveInterval=15', '--compare', 'AUTOSSH_POLL=60', '--json', json);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^configuration +downtime p50/m);
    expect(run.stdout).toMatch(/^-o ServerAliveInterval=15 -M 0 /m);
    expect(run.stdout).toMatch(/^AUTOSSH_POLL=60 -M 20000 /m);
    const figures = JSON.parse(readFileSync(json, 'utf8')) as { compared: Array<{ config: { env: Record<string, string> } }> };
    expect(figures.compared.map((c) => c.config.env)).toEqual([{}, { AUTOSSH_POLL: '60' }]);
  });
});

describe('a configuration autossh refuses is bad input (exit 2), not a 100 % outage', () => {
  it.each([
    [['replay', WIFI, '--set', 'AUTOSSH_POLL=abc'], /the timeline's configuration \(with --set AUTOSSH_POLL=abc\): autossh refuses it: invalid poll time "abc"/],
    [['replay', WIFI, '--compare', '-M abc'], /--compare "-M abc": autossh refuses it: invalid port "abc"/],
    [['simulate', '--tunnels', '1', '--duration', '1h', '--set', 'AUTOSSH_GATETIME=-1'], /the fleet's configuration .*: autossh refuses it: invalid gate time/],
  ])('%j', (args, message) => {
    const json = join(mkdtempSync(join(tmpdir(), 'refused-')), 'out.json');
    const run = lab(...args, '--json', json);
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(2);
    expect(existsSync(json)).toBe(false);
  });
});
