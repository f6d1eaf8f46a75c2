// autossh-lab's exit status: 2 for a usage error or bad input, 1 for a failure while running,
// 0 when all went well. Runs the built CLI (npx tsc -p tsconfig.json).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatusOf } from '../../lab/cli/exit-status.js';
import { SimulationRunaway } from '../../sim/oracle/runaway.js';

const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8', timeout: 20_000 });
const dir = mkdtempSync(join(tmpdir(), 'lab-exit-'));

function scenarioFile(name: string, scenario: unknown): string {
  const path = join(dir, `${name}.scenario.json`);
  writeFileSync(path, JSON.stringify(scenario));
  return path;
}

describe('autossh-lab exit status', () => {
  it.each([
    [['nosuch'], "error: unknown command 'nosuch'"],
    [[], 'Usage: autossh-lab'],
    [['replay', '/missing.json'], '/missing.json'],
    [['scenario', '/missing.json'], 'autossh-lab: /missing.json: ENOENT'],
    [['import', '/missing.log'], 'ENOENT'],
    [['simulate', '--tunnels', '0'], "error: option '--tunnels <n>' argument '0' is invalid"],
    [['toxiproxy', '--port', '70000'], "error: option '--port <port>' argument '70000' is invalid"],
    [['scenario', '--nosuch', 'x.json'], "error: unknown option '--nosuch'"],
  ])('%j is a usage error: exit 2', (args, message) => {
    const run = lab(...args);
    expect(run.stderr).toContain(message);
    expect(run.status).toBe(2);
  });

  it('a scenario with a signal name no kernel has: exit 2, naming the field', () => {
    const file = scenarioFile('bad', { name: 'bad', args: ['-M', '0', 'h'], signals: [{ at: 1, signal: 'SIGNOPE' }] });
    const run = lab('scenario', file);
    expect(run.stderr).toMatch(new RegExp(`^autossh-lab: ${file}: \\$\\.signals\\[0\\]\\.signal: expected a Linux signal name \\(SIGHUP,`));
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('a trace file in a directory that does not exist: exit 2', () => {
    const file = scenarioFile('ok', { name: 'ok', args: ['-M', '0', 'h'], cap: 5 });
    const run = lab('scenario', file, '-o', join(dir, 'no-such-dir', 'trace.json'));
    expect(run.stderr).toContain('ENOENT');
    expect(run.status).toBe(2);
  });

  it('a scenario that sends SIGWINCH and SIGALRM runs: exit 0, the supervisor killed by the second', () => {
    const file = scenarioFile('signals', {
      name: 'signals', env: { AUTOSSH_GATETIME: '0' }, args: ['-M', '0', 'h'],
      signals: [{ at: 1, signal: 'SIGWINCH' }, { at: 2, signal: 'SIGALRM' }], cap: 10,
    });
    const out = join(dir, 'signals.trace.json');
    const run = lab('scenario', file, '-o', out);
    expect(run.status, run.stderr).toBe(0);
    const events = (JSON.parse(readFileSync(out, 'utf8')) as { events: { kind: string }[] }).events;
    expect(events.map((e) => e.kind)).toEqual(['child_spawn', 'signal_sent', 'signal_sent', 'supervisor_exit']);
  });

  it('an API port already taken is a failure while running: exit 1', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const run = lab('toxiproxy', '--port', String((holder.address() as { port: number }).port));
      expect(run.stderr).toContain('address already in use');
      expect(run.status).toBe(1);
    } finally {
      holder.close();
    }
  });

  it('tells a runtime failure from bad input', () => {
    const errno = (code: string): Error => Object.assign(new Error(code), { code });
    expect(exitStatusOf(new SimulationRunaway('more than 10000000 steps'))).toBe(1);
    expect(exitStatusOf(new TypeError('x is undefined'))).toBe(1);
    expect(exitStatusOf(errno('EADDRINUSE'))).toBe(1);
    expect(exitStatusOf(errno('ENOENT'))).toBe(2);
    expect(exitStatusOf(errno('EISDIR'))).toBe(2);
    expect(exitStatusOf(new Error('--shard I/N needs --json FILE'))).toBe(2);
  });
});
