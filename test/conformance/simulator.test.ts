// Every public oracle scenario, simulated, against 1.4g's golden trace (tolerance 0.5 s), or
// against the project's expected trace where D1-D7 change the outcome; compared by the
// oracle's own compare-traces.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/oracle/scenario.js';
import { simulateScenario } from '../../sim/oracle/run-scenario.js';

const ORACLE = join(__dirname, '../../../shared/oracle');
const PUBLIC = join(ORACLE, 'public');
const DIVERGENT = join(__dirname, 'divergent');
const outDir = mkdtempSync(join(tmpdir(), 'sim-traces-'));

const names = (dir: string): string[] =>
  readdirSync(dir).filter((f) => f.endsWith('.scenario.json')).map((f) => f.replace('.scenario.json', '')).sort();

const divergent = new Set(names(DIVERGENT));
const publicNames = new Set(names(PUBLIC));
// every public scenario (the project's expected trace where it differs on purpose), then the
// project's own scenarios for rules 1.4g does not have (D9...)
const cases = [
  ...[...publicNames].map((name) => ({ name, dir: divergent.has(name) ? DIVERGENT : PUBLIC })),
  ...[...divergent].filter((name) => !publicNames.has(name)).map((name) => ({ name, dir: DIVERGENT })),
];

function compare(golden: string, actual: string): { code: number; output: string } {
  const result = spawnSync(join(ORACLE, 'compare-traces'), ['--tol', '0.5', golden, actual], { encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe('simulator against the oracle', () => {
  it('sees the whole public corpus', () => {
    expect(existsSync(PUBLIC)).toBe(true);
    expect(cases.length).toBeGreaterThanOrEqual(49);
  });

  it.each(cases)('$name', ({ name, dir }) => {
    const trace = simulateScenario(loadScenario(join(dir, `${name}.scenario.json`)));
    const actual = join(outDir, `${name}.trace.json`);
    writeFileSync(actual, JSON.stringify(trace));
    const { code, output } = compare(join(dir, `${name}.trace.json`), actual);
    expect(output, output).not.toMatch(/difference/);
    expect(code).toBe(0);
  });

  it('is judged by a comparison that can fail', () => {
    const trace = simulateScenario(loadScenario(join(PUBLIC, 'restart_exit_codes.scenario.json')));
    const actual = join(outDir, 'mismatch.trace.json');
    writeFileSync(actual, JSON.stringify(trace));
    expect(compare(join(PUBLIC, 'restart_then_exit3.trace.json'), actual).code).toBe(1);
  });
});
