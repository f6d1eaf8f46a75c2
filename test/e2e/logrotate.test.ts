// The shipped logrotate snippet (contrib/logrotate/autossh-ts), run by the real logrotate against
// the built autossh-ts while it runs: after each rotation its next lines are in the new file at
// the path, and the rotated files get nothing more. No signal is sent for the rotation; SIGUSR1
// (restart ssh now) only makes autossh-ts write lines.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { SUPERVISORS } from './supervisors.js';

const LOGROTATE = '/usr/sbin/logrotate';
const SNIPPET = fileURLToPath(new URL('../../contrib/logrotate/autossh-ts', import.meta.url));
const WAIT_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), `autossh-ts-logrotate-${process.pid}-`));
const log = join(dir, 'tunnel.log');
let run: SupervisorRun | undefined;

afterAll(async () => {
  await run?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The snippet as shipped, its file pattern pointed at this test's directory. */
function snippetFor(path: string): string {
  const text = readFileSync(SNIPPET, 'utf8');
  expect(text).toContain('/var/log/autossh-ts/*.log {');
  return text.replace('/var/log/autossh-ts/*.log', path);
}

function logrotate(config: string): void {
  const result = spawnSync(LOGROTATE, ['--force', '--state', join(dir, 'state'), config], { encoding: 'utf8' });
  expect(result.status, `logrotate: ${result.stderr}`).toBe(0);
}

const startsIn = (path: string): number => (readFileSync(path, 'utf8').match(/starting ssh \(count \d+\)/g) ?? []).length;

describe('contrib/logrotate/autossh-ts with the real logrotate', { timeout: 30_000 }, () => {
  it('rotates a running autossh-ts\'s log: new lines go to the new file, the rotated ones get nothing more', async () => {
    expect(existsSync(LOGROTATE), `${LOGROTATE} (apt-get install logrotate; scripts/setup.sh installs it)`).toBe(true);
    const config = join(dir, 'logrotate.conf');
    writeFileSync(config, snippetFor(join(dir, '*.log')), { mode: 0o644 });
    const ssh = fakeSsh(dir, 'ssh', 'exec sleep 600');
    run = spawnSupervisor({
      cmd: SUPERVISORS[1]!.cmd,
      args: ['-M', '0', '-N', 'relay.example'],
      env: { AUTOSSH_PATH: ssh, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: log, AUTOSSH_LOGLEVEL: '7' },
      cwd: dir,
    });
    const r = run;
    const restartAndSee = async (count: number): Promise<void> => {
      process.kill(r.pid, 'SIGUSR1');
      await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes(`starting ssh (count ${count})`), {
        timeoutMs: WAIT_MS, what: `"starting ssh (count ${count})" in ${log}`, abortIf: r.exitReason,
      });
    };
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('starting ssh (count 1)'), { timeoutMs: WAIT_MS, what: 'the first ssh', abortIf: r.exitReason });

    logrotate(config);
    // logrotate renamed it and made a new, empty one with the old one's mode
    expect(startsIn(`${log}.1`)).toBe(1);
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(statSync(log).mode & 0o777).toBe(0o600);
    await restartAndSee(2);
    expect(startsIn(log)).toBe(1);
    expect(startsIn(`${log}.1`)).toBe(1);

    logrotate(config);
    await restartAndSee(3);
    // .1 became .2.gz (compressed a rotation late), the lines since are in .1 and the new file
    expect(existsSync(`${log}.2.gz`)).toBe(true);
    expect(readFileSync(`${log}.1`, 'utf8')).toContain('starting ssh (count 2)');
    expect(startsIn(`${log}.1`)).toBe(1);
    expect(readFileSync(log, 'utf8')).toContain('starting ssh (count 3)');
    expect(startsIn(log)).toBe(1);
  });
});
