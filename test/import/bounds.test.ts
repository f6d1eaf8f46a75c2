// import reads a bounded log and says plainly what it could not read: bytes, lines and line
// length are checked as the file is read (a device like /dev/zero included), terminal colour
// codes are stripped, a log it understood nothing of is said on stderr, and a log too long for
// one replay is refused at the log line that makes it so. Runs the built CLI.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogText } from '../../sim/import/read-log.js';

const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8', timeout: 10_000 });
const dir = mkdtempSync(join(tmpdir(), 'import-bounds-'));
// a sparse file of 257 MiB among them: removed, not left in /tmp
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logFile = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const output = (): string => join(mkdtempSync(join(tmpdir(), 'import-out-')), 't.json');

describe('import reads no further than its bounds', () => {
  it('/dev/zero: refused at the first line\'s length, at once', () => {
    const out = output();
    const run = lab('import', '/dev/zero', '-o', out);
    expect(run.stderr).toBe('autossh-lab: /dev/zero: line 1: longer than 64 KiB; not a log line (is it a log?)\n');
    expect(run.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('a file larger than 256 MiB: refused by its size, before reading', () => {
    const file = join(dir, 'huge.log');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 257 * 1024 * 1024); // sparse: nothing written
    closeSync(fd);
    const run = lab('import', file);
    expect(run.stderr).toBe(`autossh-lab: ${file}: larger than 256 MiB, the most this reads; keep autossh's own lines (grep 'autossh' FILE) or cut the log to the incident\n`);
    expect(run.status).toBe(2);
  });

  it('more than 1,000,000 lines: refused while reading', () => {
    const file = logFile('many.log', '\n'.repeat(1_000_001));
    const run = lab('import', file);
    expect(run.stderr).toBe(`autossh-lab: ${file}: more than 1,000,000 lines, the most import reads; keep autossh's own lines (grep 'autossh' FILE) or cut the log to the incident\n`);
    expect(run.status).toBe(2);
  });

  it('the bounds, each at its edge', () => {
    const bounds = { maxBytes: 100, maxLines: 3, maxLineBytes: 10 };
    expect(readLogText(logFile('a.log', 'x\ny\nz'), bounds)).toBe('x\ny\nz');
    expect(() => readLogText(logFile('b.log', 'x\ny\nz\nw'), bounds)).toThrow(/b\.log: more than 3 lines/);
    expect(() => readLogText(logFile('c.log', 'x\ny\nz\n\n'), bounds)).toThrow(/c\.log: more than 3 lines/);
    expect(readLogText(logFile('d.log', '0123456789\n'), bounds)).toBe('0123456789\n');
    expect(() => readLogText(logFile('e.log', 'ok\n01234567890\n'), bounds)).toThrow('e.log: line 2: longer than 10 bytes; not a log line (is it a log?)');
    expect(() => readLogText(logFile('f.log', `${'x\n'.repeat(2)}${'y'.repeat(90)}`), bounds)).toThrow(/f\.log: line 3: longer than 10 bytes/);
    expect(() => readLogText(logFile('g.log', '1234567\n'.repeat(13)), { ...bounds, maxLines: 100 })).toThrow('g.log: larger than 100 bytes, the most this reads');
  });
});

describe('what import could not understand', () => {
  const colour = (text: string): string => `\x1b[1;31m${text}\x1b[0m`;
  const lines = [
    '2024/05/01 03:00:00 autossh[10]: starting ssh (count 1)',
    ...Array.from({ length: 15 }, (_, i) => `2024/05/01 03:00:${String(i + 1).padStart(2, '0')} autossh[10]: ssh exited with error status 255; restarting ssh`),
  ];

  it('reads lines wrapped in terminal colour codes as their words', () => {
    const plain = lab('import', logFile('plain.log', `${lines.join('\n')}\n`));
    const coloured = lab('import', logFile('colour.log', `${lines.map((l, i) => (i % 2 === 0 ? colour(l) : l.replace(/: (.*)$/, (_, m: string) => `: ${colour(m)}`))).join('\n')}\n`));
    expect(coloured.status, coloured.stderr).toBe(0);
    expect(coloured.stderr).toMatch(/^16 log lines, 15 facts;/);
    expect(coloured.stdout.replaceAll('colour', 'plain')).toBe(plain.stdout);
    expect(coloured.stderr).not.toContain('warning');
  });

  it('warns on stderr when not one line was a message autossh writes', () => {
    const out = output();
    const run = lab('import', logFile('other.log', '2024/05/01 03:00:00 autossh[10]: hello\n2024/05/01 03:00:01 autossh[10]: world\n'), '-o', out);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('2 log lines, 0 facts;');
    expect(run.stderr).toContain('autossh-lab import: warning: none of the 2 log line(s) of pid 10 was a message autossh writes');
    expect(JSON.parse(readFileSync(out, 'utf8')).facts).toEqual([]);
  });
});

describe('a log too long for one replay is refused at its line', () => {
  it('an absurd journal timestamp', () => {
    const file = logFile('journal.log', [
      '{"__REALTIME_TIMESTAMP":"1714532400000000","_PID":"10","MESSAGE":"starting ssh (count 1)"}',
      '{"__REALTIME_TIMESTAMP":"99999999999999999","_PID":"10","MESSAGE":"ssh exited with error status 255; restarting ssh"}',
    ].join('\n'));
    const run = lab('import', file);
    expect(run.stderr).toBe(`autossh-lab: ${file}: line 2: 5138-11-16T09:46:40.000Z is 1137563d6h46m40s after the run's first line `
      + '(line 1, 2024-05-01T03:00:00.000Z); a replay covers at most 399d23h55m of log\n');
    expect(run.status).toBe(2);
  });

  it('a syslog whose months flip from December to January again and again', () => {
    const flips = Array.from({ length: 3000 }, (_, i) => [
      `Dec 31 23:59:59 h autossh[10]: starting ssh (count ${2 * i + 1})`,
      'Jan  1 00:00:00 h autossh[10]: ssh exited with error status 255; restarting ssh',
    ]).flat();
    const file = logFile('flip.log', `${flips.join('\n')}\n`);
    const run = lab('import', file, '--year', '2000');
    expect(run.stderr).toBe(`autossh-lab: ${file}: line 5: 2002-12-31T23:59:59.000Z is 730d after the run's first line (line 1, 2000-12-31T23:59:59.000Z); `
      + 'a replay covers at most 399d23h55m of log; classic syslog lines carry no year, and the log\'s month goes from December back to January 3000 time(s), each taken as a new year\n');
    expect(run.status).toBe(2);
  });
});
