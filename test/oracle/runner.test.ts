// The project's own real-process runner (lab/oracle) is held to the goldens the oracle recorded
// from the real 1.4g: run against /usr/lib/autossh/autossh it must give traces equivalent to
// them, for the mechanisms every other scenario builds on (the fake ssh's exits, signals and
// the -M loop through its -L/-R forwards, signals on schedule, a port held busy, the pid file,
// a -f daemon seen through the reaper). npm test's scripts/oracle-conformance.sh runs the whole
// corpus against autossh-ts with it. Needs the build (npm run build) for the fake ssh.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTraces, describeDifferences } from '../../sim/oracle/compare-traces.js';
import type { Trace } from '../../sim/oracle/trace.js';
import { FAKE_SSH, runScenarioFile } from '../../lab/oracle/run-scenario.js';

const REAL = ['/usr/lib/autossh/autossh'];
const DIR = 'test/fixtures/oracle';
const golden = (name: string): Trace => JSON.parse(readFileSync(`${DIR}/${name}.trace.json`, 'utf8')) as Trace;
/** short scenarios, each showing one mechanism; they run side by side */
const NAMES = ['daemon_f_flag', 'env_port_no_M', 'first_killed_by_signal_in_gate', 'monitor_port_in_use', 'sighup_sigusr2_noop', 'ssh_path_missing', 'version_flag'];

describe('the oracle runner against the real 1.4g', () => {
  it('has what it runs: the real 1.4g and the built fake ssh', () => {
    expect(existsSync(REAL[0]!), 'apt-get install autossh (scripts/setup.sh does)').toBe(true);
    expect(existsSync(FAKE_SSH), 'npm run build').toBe(true);
  });

  const runs = new Map<string, Promise<Trace>>();
  const traceOf = (name: string): Promise<Trace> => {
    if (!runs.has(name)) runs.set(name, runScenarioFile(`${DIR}/${name}.scenario.json`, { command: REAL }).then((r) => r.trace));
    return runs.get(name)!;
  };
  // all at once: they mostly sleep
  for (const name of NAMES) void traceOf(name).catch(() => {});

  it.each(NAMES)('%s: equivalent to the golden 1.4g left', async (name) => {
    const trace = await traceOf(name);
    const differences = describeDifferences(golden(name).events, trace.events);
    expect(differences, differences).toBe('');
  });

  it('sees what the daemon did after its launcher left: its pid in the pid file, its exit status', async () => {
    const events = (await traceOf('daemon_f_flag')).events;
    expect(events.find((e) => e.kind === 'pidfile_created')?.['owner']).toBe('daemon');
    expect(events.find((e) => e.kind === 'daemon_exit')).toMatchObject({ code: 1 });
    expect(events.find((e) => e.kind === 'supervisor_exit')).toMatchObject({ code: 0 });
  });

  it('keeps what is informational: the supervisor\'s log and stderr, ports and pids as placeholders', async () => {
    const trace = await traceOf('monitor_port_in_use');
    expect(trace.log.join('\n')).toMatch(/bind on 127\.0\.0\.1:\{\{MPORT\+1\}\}: Address already in use/);
    const probes = (await traceOf('env_port_no_M')).events.filter((e) => e.kind === 'probe');
    expect(probes.length).toBe(2);
    expect(probes[0]!['data']).toMatch(/^<host> autossh <pid> <id> /);
  });

  it('is judged by a comparison that can fail: the same run against another golden differs', async () => {
    const trace = await traceOf('first_killed_by_signal_in_gate');
    expect(compareTraces(golden('gate_exit1_fast').events, trace.events).length).toBeGreaterThan(0);
  });

  it('run-all: bad usage is exit 2 with the usage, a missing directory too', () => {
    for (const args of [['-j', '0', DIR], ['--tol'], ['/nonexistent-dir'], [DIR, '--']]) {
      const run = spawnSync(process.execPath, ['dist/lab/oracle/run-all.js', ...args], { encoding: 'utf8' });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^run-all: .+\nusage: run-all\.js DIR/);
    }
  });

  it('run-all: a scenario that does not check out fails naming the field, and leaves no work directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-bad-'));
    try {
      const name = `badscenario${process.pid}`;
      writeFileSync(join(dir, `${name}.scenario.json`), JSON.stringify({ name, args: ['-V'], ssh: [{ exit: 'soon' }] }));
      writeFileSync(join(dir, `${name}.trace.json`), readFileSync(`${DIR}/version_flag.trace.json`));
      const run = spawnSync(process.execPath, ['dist/lab/oracle/run-all.js', dir], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`FAIL ${name}[\\s\\S]*the run failed: .*\\$\\.ssh\\[0\\]\\.exit: expected a whole number`));
      expect(run.stdout).toMatch(/0 passed, 1 failed\n$/);
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith(`oracle-${name}-`))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
