// The daemon's own JSON log is a log autossh-lab can import: the built daemon (two tunnels, a
// SIGUSR1 restart of both, SIGTERM) writes its lines and its tunnels' in the order they were
// logged, so times never go backwards, and `autossh-lab import` (the built CLI) reads it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { SUPERVISORS } from './supervisors.js';

const LAB = fileURLToPath(new URL('../../dist/lab/cli/lab.js', import.meta.url));
const WAIT_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), `autossh-ts-daemon-log-${process.pid}-`));
const logFile = join(dir, 'daemon.log');
const configFile = join(dir, 'tunnels.toml');
let run: SupervisorRun | undefined;

afterAll(async () => {
  await run?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Record {
  time: string;
  tunnel?: string;
  message: string;
}
const records = (): Record[] => readFileSync(logFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record);

describe('the daemon\'s JSON log', { timeout: 30_000 }, () => {
  it('is in time order, the daemon\'s lines among its tunnels\', and autossh-lab imports it', async () => {
    const ssh = fakeSsh(dir, 'ssh', 'exec sleep 600');
    writeFileSync(configFile, [
      '[log]',
      'format = "json"',
      '[defaults]',
      `env = { AUTOSSH_PATH = "${ssh}" }`,
      ...['db', 'web'].flatMap((name) => ['[[tunnel]]', `name = "${name}"`, `args = ["-M", "0", "-N", "${name}.example"]`]),
      '',
    ].join('\n'), { mode: 0o600 });
    run = spawnSupervisor({ cmd: SUPERVISORS[1]!.cmd, args: ['--config', configFile], cwd: dir, env: { AUTOSSH_LOGFILE: logFile } });
    const r = run;
    const logged = (pattern: RegExp, count: number, what: string): Promise<unknown> =>
      waitFor(() => records().filter((x) => pattern.test(x.message)).length >= count || undefined, { timeoutMs: WAIT_MS, what, abortIf: r.exitReason });
    await logged(/^ssh child pid is/, 2, 'both tunnels\' first ssh');
    process.kill(r.pid, 'SIGUSR1');
    await logged(/^starting ssh \(count 2\)$/, 2, 'both tunnels\' second ssh');
    process.kill(r.pid, 'SIGTERM');
    expect(await r.exited).toEqual({ code: 1, signal: null });

    const lines = records();
    const times = lines.map((x) => Date.parse(x.time));
    expect(times, readFileSync(logFile, 'utf8')).toEqual([...times].sort((a, b) => a - b));
    // the daemon says it starts before any tunnel says anything, and says it ends last
    expect(lines[0]).toMatchObject({ message: expect.stringMatching(/^autossh-ts starting 2 tunnel\(s\) from /) });
    expect(lines[0]!.tunnel).toBeUndefined();
    expect(lines.at(-1)).toMatchObject({ message: 'every tunnel stopped; exiting with status 1' });
    expect(new Set(lines.map((x) => x.tunnel))).toEqual(new Set([undefined, 'db', 'web']));

    const imported = spawnSync(process.execPath, [LAB, 'import', logFile], { encoding: 'utf8', timeout: WAIT_MS });
    expect(imported.status, `autossh-lab import: ${imported.stderr}`).toBe(0);
    const timeline = JSON.parse(imported.stdout) as { format: string; facts: Array<{ kind: string; signal?: string }> };
    expect(timeline.format).toBe('autossh-timeline/1');
    expect(timeline.facts.map((f) => f.signal)).toEqual(['SIGUSR1', 'SIGTERM']);
  });
});
