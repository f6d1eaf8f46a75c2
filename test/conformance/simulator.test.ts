// Every public oracle scenario (test/fixtures/oracle: 1.4g's recorded goldens), simulated,
// against its golden trace within 0.5 s, or against the project's expected trace where D1-D13
// change the outcome (test/conformance/divergent), compared by sim/oracle/compare-traces.ts.
// When the oracle's own harness sits beside the project (ORACLE_DIR, default ../shared/oracle),
// its compare-traces judges the same traces too, as a cross-check; it is never required.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/oracle/scenario.js';
import { simulateScenario } from '../../sim/oracle/run-scenario.js';
import { compareTraces, describeDifferences } from '../../sim/oracle/compare-traces.js';
import type { Trace } from '../../sim/oracle/trace.js';

const PUBLIC = join(__dirname, '../fixtures/oracle');
const DIVERGENT = join(__dirname, 'divergent');
const SIM_TOLERANCE_S = 0.5;
const ORACLE = process.env['ORACLE_DIR'] ?? join(__dirname, '../../../shared/oracle');
const oracleCompare = join(ORACLE, 'compare-traces');

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

const expectedOf = (dir: string, name: string): Trace => JSON.parse(readFileSync(join(dir, `${name}.trace.json`), 'utf8')) as Trace;

describe('simulator against the oracle', () => {
  it('sees the whole public corpus, carried in the repository', () => {
    expect(publicNames.size).toBe(48);
    expect(cases.length).toBeGreaterThanOrEqual(49);
  });

  it.each(cases)('$name', ({ name, dir }) => {
    const trace = simulateScenario(loadScenario(join(dir, `${name}.scenario.json`)));
    const expected = expectedOf(dir, name);
    const differences = describeDifferences(expected.events, trace.events, SIM_TOLERANCE_S);
    expect(differences, differences).toBe('');
  });

  it('is judged by a comparison that can fail', () => {
    const trace = simulateScenario(loadScenario(join(PUBLIC, 'restart_exit_codes.scenario.json')));
    expect(compareTraces(expectedOf(PUBLIC, 'restart_then_exit3').events, trace.events, SIM_TOLERANCE_S).length).toBeGreaterThan(0);
  });

  // the oracle's own judge, when it is there, agrees with ours on the same traces: its compare()
  // loaded once in one python3 (a python start per trace costs seconds on a busy machine)
  it.skipIf(!existsSync(oracleCompare))('cross-check: the oracle\'s compare-traces agrees (ORACLE_DIR or ../shared/oracle)', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sim-traces-'));
    const pairs = [...cases.map((c) => ({ ...c, golden: c.name })), { name: 'restart_exit_codes', dir: PUBLIC, golden: 'restart_then_exit3' }]
      .map(({ name, dir, golden }) => {
        const trace = simulateScenario(loadScenario(join(dir, `${name}.scenario.json`)));
        const actual = join(outDir, `${name}-${golden}.trace.json`);
        writeFileSync(actual, JSON.stringify(trace));
        const ours = compareTraces(expectedOf(dir, golden).events, trace.events, SIM_TOLERANCE_S).length === 0;
        return { label: `${name} against ${golden}`, golden: join(dir, `${golden}.trace.json`), actual, ours };
      });
    const judge = [
      'import importlib.machinery, importlib.util, json, sys',
      'loader = importlib.machinery.SourceFileLoader("compare_traces", sys.argv[1])',
      'module = importlib.util.module_from_spec(importlib.util.spec_from_loader("compare_traces", loader))',
      'loader.exec_module(module)',
      'pairs = json.load(sys.stdin)',
      'print(json.dumps([not module.compare(json.load(open(g)), json.load(open(a)), float(sys.argv[2])) for g, a in pairs]))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', judge, oracleCompare, String(SIM_TOLERANCE_S)], {
      input: JSON.stringify(pairs.map((p) => [p.golden, p.actual])), encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const theirs = JSON.parse(run.stdout) as boolean[];
    expect(theirs).toHaveLength(pairs.length);
    pairs.forEach((p, i) => expect(theirs[i], p.label).toBe(p.ours));
    expect(pairs.at(-1)!.ours).toBe(false);
  });
});
