// What a bad-input sweep found in the daemon, held: it stays up when every tunnel has ended (a
// reload may start them again); a FIFO for a file is refused, not read into a hang; SIGTERM just
// after a reload is the first signal for every tunnel, not D4's second; an ssh command line that
// Node or exec refuses is a failed start (D7), not an internal error.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SshChild } from '../../src/adapters/ssh-child.js';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { daemonRuns } from './daemon-runs.js';

const WAIT_MS = 10_000;
const { dir, start } = daemonRuns('autossh-ts-daemon-hard');
const failing = fakeSsh(dir, 'ssh-fails', 'exit 255');
// ends on SIGTERM after a moment, as a real ssh closing its session does
const slowToStop = fakeSsh(dir, 'ssh-slow', 'trap \'sleep 0.5; exit 0\' TERM; while :; do sleep 0.1; done');

describe('the daemon, held against what a bad-input sweep found', { timeout: 30_000 }, () => {
  it('stays up when every tunnel has ended, until a signal to exit', async () => {
    const file = join(dir, 'ends.toml');
    writeFileSync(file, ['[[tunnel]]', 'name = "a"', 'args = ["-M", "0", "h"]', `env = { AUTOSSH_PATH = "${failing}", AUTOSSH_MAXSTART = "1" }`, 'restart = "no"', ''].join('\n'));
    const log = join(dir, 'ends.log');
    const run = start(['--config', file], { AUTOSSH_LOGFILE: log });
    await waitFor(() => (readFileSync(log, 'utf8').includes('its supervisor exited with status') ? true : undefined), { timeoutMs: WAIT_MS, what: 'the tunnel\'s end in the log', abortIf: run.exitReason });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(run.exitInfo(), run.output()).toBeUndefined();
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
  });

  it('refuses a FIFO as its file at once, naming it', async () => {
    const fifo = join(dir, 'pipe.toml');
    execFileSync('mkfifo', [fifo]);
    const run = start(['--config', fifo]);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toBe(`autossh-ts: ${fifo}: is not a regular file\n`);
  });

  it('takes a SIGTERM right after a reload as the first signal: no SIGKILL for the tunnel the reload is stopping', async () => {
    const file = join(dir, 'reload.toml');
    const log = join(dir, 'reload.log');
    const write = (host: string): void => writeFileSync(file, ['[[tunnel]]', 'name = "a"', `args = ["-M", "0", "${host}"]`, `env = { AUTOSSH_PATH = "${slowToStop}" }`, ''].join('\n'));
    write('one.example');
    const run = start(['--config', file], { AUTOSSH_LOGFILE: log });
    await waitFor(() => (readFileSync(log, 'utf8').includes('ssh child pid is') ? true : undefined), { timeoutMs: WAIT_MS, what: 'ssh started', abortIf: run.exitReason });
    write('two.example');
    process.kill(run.pid, 'SIGHUP');
    await waitFor(() => (readFileSync(log, 'utf8').includes('restarting: its definition changed') ? true : undefined), { timeoutMs: WAIT_MS, what: 'the reload stopping a' });
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(readFileSync(log, 'utf8')).not.toContain('SIGKILL');
  });

  it('an ssh command line Node refuses before any fork (a NUL byte, E2BIG) is a failed start (D7), not a throw', async () => {
    for (const bad of ['h\0x', `-oUser=${'x'.repeat(200_000)}`]) {
      const ssh = new SshChild();
      const failure = await new Promise<string>((resolve, reject) => {
        try {
          ssh.start([failing, '-N', bad], { onEnd: () => reject(new Error('it ran')), onError: resolve });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      expect(failure).toMatch(/null bytes|E2BIG/);
      expect(ssh.pid).toBeUndefined();
    }
  });
});
