// import refuses what it cannot read honestly, naming the line or the value, exit 2, and
// writes nothing. Runs the built CLI (npx tsc -p tsconfig.json).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8' });
const GOOD = 'test/fixtures/logs/gate0_every2s_maxstart5_info.log';

function logFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'import-')), 'bad.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('import refuses bad input: exit 2, the line or value named, nothing written', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a log whose time goes backwards', () => [logFile([
      '2024/05/01 03:00:05 autossh[10]: starting ssh (count 1)',
      '2024/05/01 03:00:04 autossh[10]: ssh exited with error status 255; restarting ssh',
    ])], /bad\.log: line 2: time goes backwards/],
    ['February 30th', () => [logFile(['2024/02/30 03:00:05 autossh[10]: starting ssh (count 1)'])], /bad\.log: line 1: no such date or time/],
    ['hour 25', () => [logFile(['2024/05/01 25:00:05 autossh[10]: starting ssh (count 1)'])], /line 1: no such date or time/],
    ['--year abc', () => [GOOD, '--year', 'abc'], /option '--year <yyyy>' argument 'abc' is invalid/],
    ['--args "-M abc"', () => [GOOD, '--args', '-M abc'], /invalid port "abc"/],
    ['--set AUTOSSH_POLL=abc', () => [GOOD, '--set', 'AUTOSSH_POLL=abc'], /invalid poll time "abc" \(AUTOSSH_POLL\)/],
    ['--set without a value', () => [GOOD, '--set', 'POLL'], /--set "POLL": expected NAME=VALUE/],
    ['--set __proto__=1 (it would vanish, not set anything)', () => [GOOD, '--set', '__proto__=1'], /--set "__proto__=1": "__proto__" is not an environment variable/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const out = join(mkdtempSync(join(tmpdir(), 'import-out-')), 't.json');
      const run = lab('import', ...args(), '-o', out);
      expect(run.stderr).toMatch(message);
      expect(run.status).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('writes a timeline replay accepts, and says what it read and what it could not', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'import-out-')), 't.json');
    const run = lab('import', GOOD, '-o', out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/AUTOSSH_MAXSTART=5: "count N of 5" \(line 2\)/);
    expect(run.stderr).toMatch(/AUTOSSH_GATETIME=0: .* \(line 4\)/);
    const replay = lab('replay', out, '--quiet');
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/log check: reproduces 11 of 11 logged decisions/);
  });

  it('lets --args and --set override what it read, and says so', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'import-out-')), 't.json');
    const run = lab('import', GOOD, '--args', '-M 0 -N relay', '--set', 'AUTOSSH_MAXSTART=3', '-o', out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('AUTOSSH_MAXSTART=5: "count N of 5" (line 2); overridden by --set');
    expect(run.stderr).toContain('-M=0: monitoring disabled (line 1); overridden by --args');
    const replay = lab('replay', out, '--quiet');
    expect(replay.stdout).toContain('likely missing setting: AUTOSSH_MAXSTART=5');
  });
});
