// `simulate --compare X --compare Y --report f.html`: the report shows every configuration the
// terminal shows (it once wrote the same page as without --compare), and a fleet's durations
// read as its numbers mean them: hours to the second, days to the minute, never to the ms.
// Through the built CLI, as a user runs it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRoundedDuration, roundingUnitMs } from '../../sim/fleet/rounded-duration.js';

const LAB = join(process.cwd(), 'dist/lab/cli/lab.js');
const dir = mkdtempSync(join(tmpdir(), 'autossh-lab-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate --compare --report', () => {
  const report = join(dir, 'fleet.html');
  const json = join(dir, 'fleet.json');
  const said = execFileSync(process.execPath, [LAB, 'simulate', '--tunnels', '20', '--duration', '10d', '--no-progress', '--workers', '1',
    '--compare', 'AUTOSSH_POLL=60', '--compare', '-M 0 -o ServerAliveInterval=15', '--report', report, '--json', json], { encoding: 'utf8' });
  const html = readFileSync(report, 'utf8');

  it('draws the three configurations the terminal compares, and tabulates them', () => {
    const table = said.slice(said.lastIndexOf('configuration  '));
    expect(table.trim().split('\n')).toHaveLength(4);
    expect(html.match(/class="fleet configuration"/g)).toHaveLength(3);
    const summary = /<table class="summary">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(summary.match(/<tr><td>/g)).toHaveLength(3);
    expect(summary).toContain('AUTOSSH_POLL=60');
    expect(summary).toContain('-o ServerAliveInterval=15 -M 0');
  });

  it('prints downtimes over hours without ms, in the terminal and in the report; --json keeps them exact', () => {
    const figures = JSON.parse(readFileSync(json, 'utf8')) as { downtimeMs: { p50: number; max: number } };
    expect(figures.downtimeMs.max).toBeGreaterThan(3_600_000);
    expect(figures.downtimeMs.max % 1000).not.toBe(0);
    const max = formatRoundedDuration(figures.downtimeMs.max);
    expect(max).not.toMatch(/\./);
    expect(said).toContain(`max ${max} (`);
    expect(html).toContain(`>${max}<`);
    expect(said).not.toMatch(/\d+h\d+m\d+\.\d+s/);
    expect(html).not.toMatch(/\d+h\d+m\d+\.\d+s/);
  });
});

describe('formatRoundedDuration', () => {
  it('rounds to the unit the size calls for', () => {
    expect(formatRoundedDuration(345)).toBe('0.345s');
    expect(formatRoundedDuration(12_345)).toBe('12.3s');
    expect(formatRoundedDuration(3 * 3_600_000 + 25 * 60_000 + 46_499)).toBe('3h25m46s');
    expect(formatRoundedDuration(2 * 86_400_000 + 3 * 3_600_000 + 14 * 60_000 + 31_000)).toBe('2d3h15m');
    expect([999, 59_999, 86_399_999, 86_400_000].map(roundingUnitMs)).toEqual([1, 100, 1000, 60_000]);
  });
});
