// A scenario's trace is bounded: a cap of a year at AUTOSSH_POLL=1 is refused before anything
// is written (it used to grow past 1.7 GB and leave a partial trace file), the bound holds while
// it runs, its log waits on disk rather than in memory, and -o FILE is whole or not there at all.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/oracle/scenario.js';
import { checkScenarioWork, scenarioCommandLine, ScenarioTooLargeError, simulateScenario, streamScenario } from '../../sim/oracle/run-scenario.js';
import { estimateScenarioWork } from '../../sim/oracle/work-estimate.js';

/** ssh exits 255 at once, every time; monitoring on */
const restarting = (cap: number, poll: string, after = 0) => ({
  name: 'restarting',
  env: { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: poll },
  args: ['-N', '-M', '{{MPORT}}', 'host'],
  ssh: [{ exit: 255, after }],
  cap,
});

function scenarioFile(json: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-bound-'));
  const file = join(dir, 's.scenario.json');
  writeFileSync(file, JSON.stringify(json));
  return { dir, file };
}

describe('before a scenario runs', () => {
  it('a year at AUTOSSH_POLL=1 is refused at once with its figure; -o FILE is not created', () => {
    const { dir, file } = scenarioFile(restarting(365 * 86_400, '1'));
    const run = spawnSync(process.execPath, ['dist/lab/cli/lab.js', 'scenario', file, '-o', join(dir, 'trace.json')], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stderr).toBe('autossh-lab: restarting: about 220,752,154 trace records (31,536,022 ssh starts, 0 connection tests) in 365d at AUTOSSH_POLL=1; '
      + 'at most 2,000,000: lower "cap", raise AUTOSSH_POLL or set AUTOSSH_MAXSTART\n');
    expect(run.status).toBe(2);
    expect(readdirSync(dir)).toEqual(['s.scenario.json']);
  });

  it('the estimate follows the run', () => {
    const cases = [
      restarting(1200, '1'),
      restarting(1200, '10', 3),
      // healthy, monitored: a connection test every POLL
      { name: 'healthy', env: { AUTOSSH_POLL: '5' }, args: ['-N', '-M', '{{MPORT}}', 'host'], cap: 1200 },
      // a forward that breaks: each ssh is killed after its first failed test
      { name: 'breaking', env: { AUTOSSH_POLL: '10', AUTOSSH_GATETIME: '0' }, args: ['-N', '-M', '{{MPORT}}', 'host'], ssh: [{ forward: 'blackhole' }], cap: 1200 },
    ];
    for (const json of cases) {
      const scenario = parseScenario(json, 't');
      const outcome = scenarioCommandLine(scenario);
      if (outcome.kind !== 'run') throw new Error('not a run');
      const estimated = estimateScenarioWork(scenario, outcome.config).records;
      const trace = simulateScenario(scenario);
      const actual = trace.events.length + trace.log.length;
      expect(estimated / actual, `${json.name}: estimated ${estimated}, ran ${actual}`).toBeGreaterThan(0.5);
      expect(estimated / actual, `${json.name}: estimated ${estimated}, ran ${actual}`).toBeLessThan(2);
    }
  });

  it('is said first when large', () => {
    expect(checkScenarioWork(parseScenario(restarting(60, '1'), 't'))).toBeNull();
    expect(checkScenarioWork(parseScenario(restarting(12 * 3600, '1'), 't'))).toMatch(/^about 30\d,\d{3} trace records \(43,\d{3} ssh starts/);
  });
});

describe('while a scenario runs', () => {
  it('stops past its bound on trace records, whatever the estimate said', () => {
    const scenario = parseScenario(restarting(3600, '1'), 't');
    expect(() => streamScenario(scenario, () => {}, { maxRecords: 2000 })).toThrow(ScenarioTooLargeError);
    expect(() => simulateScenario(scenario, { maxRecords: 2000 }))
      .toThrow(/^restarting: more than 2,000 trace records \(events and log lines\) by \d+\.\d s of its cap of 3600 s, the most one trace holds/);
  });

  it('a log spooled to disk streams the same bytes as the whole trace', () => {
    const scenario = parseScenario(restarting(900, '1'), 't');
    const pieces: string[] = [];
    streamScenario(scenario, (chunk) => pieces.push(chunk), { logLinesInMemory: 100 });
    const whole = simulateScenario(scenario);
    expect(whole.log.length).toBeGreaterThan(1000);
    expect(pieces.join('')).toBe(`${JSON.stringify(whole, null, 1)}\n`);
    // a log with characters outside ASCII survives the trip through the spool's chunks
    const noted = parseScenario({ ...restarting(300, '1'), env: { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '1', AUTOSSH_MESSAGE: 'é✓😀' } }, 't');
    const notedPieces: string[] = [];
    streamScenario(noted, (chunk) => notedPieces.push(chunk), { logLinesInMemory: 7 });
    expect(notedPieces.join('')).toBe(`${JSON.stringify(simulateScenario(noted), null, 1)}\n`);
  });

  it('SIGINT with -o FILE: exit 130, said, neither the trace nor its temp file left', async () => {
    const { dir, file } = scenarioFile(restarting(36_000, '1'));
    const target = join(dir, 'trace.json');
    const child = spawn(process.execPath, ['dist/lab/cli/lab.js', 'scenario', file, '-o', target], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    // interrupt once the trace is being written
    const deadline = performance.now() + 8_000;
    while (readdirSync(dir).length < 2 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync(dir).some((name) => name.startsWith('.trace.json.'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGINT');
    // bounded: a run that does not stop is killed, and the test fails on its status
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearTimeout(killer);
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stderr).toContain('autossh-lab scenario: interrupted; no output file was left behind\n');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual(['s.scenario.json']);
  });
});
