// Classic syslog lines carry no year: `import` reads them in the year the log file was last
// modified (its last line was written by then), says so on stderr, and --year overrides it.
// Through the built CLI, as a user runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'import-year-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function importLog(name: string, lines: string[], modified: string, ...args: string[]) {
  const file = join(dir, `${name}.log`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const at = new Date(modified);
  utimesSync(file, at, at);
  const out = join(dir, `${name}.json`);
  const run = spawnSync(process.execPath, ['dist/lab/cli/lab.js', 'import', file, '-o', out, ...args], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return { stderr: run.stderr, start: (JSON.parse(readFileSync(out, 'utf8')) as { start: string }).start, file };
}

const JUNE = ['Jun  9 10:00:00 box autossh[10]: starting ssh (count 1)', 'Jun  9 10:00:02 box autossh[10]: ssh exited with error status 255; restarting ssh', 'Jun  9 10:00:02 box autossh[10]: starting ssh (count 2)'];

describe('import --year', () => {
  it('defaults to the year the file was last modified, and says so', () => {
    const { stderr, start, file } = importLog('june', JUNE, '2023-06-10T08:00:00Z');
    expect(start).toBe('2023-06-09T10:00:00.000Z');
    expect(stderr).toContain(`the syslog lines carry no year: read as 2023, as ${file} was last modified on 2023-06-10`);
  });

  it('a log that runs into January began the year before its last change', () => {
    const { stderr, start } = importLog('newyear', [
      'Dec 31 23:59:50 box autossh[10]: starting ssh (count 1)',
      'Jan  1 00:00:01 box autossh[10]: ssh exited with error status 255; restarting ssh',
      'Jan  1 00:00:01 box autossh[10]: starting ssh (count 2)',
    ], '2026-01-01T00:05:00Z');
    expect(start).toBe('2025-12-31T23:59:50.000Z');
    expect(stderr).toContain('read as 2025 into 2026');
    // a June log last changed in the January after: still the year before
    expect(importLog('june-late', JUNE, '2024-01-03T00:00:00Z').start).toBe('2023-06-09T10:00:00.000Z');
  });

  it('--year gives the first line\'s year; a log with years in it needs none', () => {
    const given = importLog('given', JUNE, '2023-06-10T08:00:00Z', '--year', '2019');
    expect(given.start).toBe('2019-06-09T10:00:00.000Z');
    expect(given.stderr).not.toContain('carry no year');
    const dated = importLog('dated', ['2024/05/01 03:00:05 autossh[10]: starting ssh (count 1)'], '2026-06-10T08:00:00Z');
    expect(dated.start).toBe('2024-05-01T03:00:05.000Z');
    expect(dated.stderr).not.toContain('carry no year');
  });
});
