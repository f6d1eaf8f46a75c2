// Where syslog's lines go (src/adapters/log-destination.ts), through the built code:
// - stderr is the journal (JOURNAL_STREAM names fd 2's dev:ino): the drop-in and the daemon write
//   `<N>message` lines to stderr, no timestamp, nothing to syslog;
// - no syslog socket and stderr not the journal: text lines on stderr after one notice saying why
//   (the socket path is the test-only option, since the host's /dev/log cannot be taken away);
// - AUTOSSH_DEBUG keeps its stderr lines, and they are not doubled.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isJournalStream, journalLine, systemLogOf } from '../../src/adapters/log-destination.js';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { cleanEnv } from '../support/supervisor-process.js';

const BIN = fileURLToPath(new URL('../../dist/autossh-ts.mjs', import.meta.url));
const LOGGER = fileURLToPath(new URL('../../dist/src/adapters/logger.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-logdest-'));
const ssh255 = fakeSsh(dir, 'ssh255', 'sleep 0.1; exit 255');
const sshSleeps = fakeSsh(dir, 'ssh-sleeps', 'exec sleep 60');
let files = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh file to be a child's stderr, and the JOURNAL_STREAM value that names it. */
function stderrFile(): { path: string; fd: number; journalStream: string } {
  const path = join(dir, `stderr.${++files}`);
  const fd = openSync(path, 'w');
  const stat = fstatSync(fd, { bigint: true });
  return { path, fd, journalStream: `${stat.dev}:${stat.ino}` };
}

/** The bin to its end, stderr into a file; returns its exit code and what it wrote there. */
function runBin(args: string[], env: Record<string, string>, journal: boolean): { code: number | null; stderr: string } {
  const err = stderrFile();
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: cleanEnv({ ...(journal ? { JOURNAL_STREAM: err.journalStream } : {}), ...env }),
    stdio: ['ignore', 'ignore', err.fd],
    timeout: 15_000,
  });
  closeSync(err.fd);
  return { code: result.status, stderr: readFileSync(err.path, 'utf8') };
}

describe('the choice', () => {
  it('JOURNAL_STREAM must name fd 2 itself, by device and inode', () => {
    const fd2 = { dev: 64769n, ino: 1234567n };
    expect(isJournalStream('64769:1234567', fd2)).toBe(true);
    expect(isJournalStream('64769:1234568', fd2)).toBe(false);
    expect(isJournalStream('64768:1234567', fd2)).toBe(false);
    expect(isJournalStream(undefined, fd2)).toBe(false);
    expect(isJournalStream('64769:1234567', null)).toBe(false);
    expect(isJournalStream('64769-1234567', fd2)).toBe(false);
    expect(isJournalStream(':', fd2)).toBe(false);
  });

  it('the journal first, then a syslog socket, then stderr with the reason', () => {
    expect(systemLogOf({ stderrIsJournal: true, socketPath: '/dev/log', socketExists: true })).toEqual({ kind: 'journal' });
    expect(systemLogOf({ stderrIsJournal: false, socketPath: '/dev/log', socketExists: true })).toEqual({ kind: 'syslog', socketPath: '/dev/log' });
    expect(systemLogOf({ stderrIsJournal: false, socketPath: '/dev/log', socketExists: false })).toEqual({
      kind: 'stderr',
      why: 'no /dev/log and stderr is not the journal: logging to stderr',
    });
  });

  it('a journal line is sd-daemon\'s <level> and one line', () => {
    expect(journalLine(3, 'a\nb')).toBe('<3>a b\n');
    expect(journalLine(9, 'x')).toBe('<7>x\n');
  });
});

describe('stderr is the journal', { timeout: 30_000 }, () => {
  it('the drop-in writes <N>-prefixed lines to stderr: its starts, restarts and the end', () => {
    const { code, stderr } = runBin(['-M', '0', '-N', 'journal-host'], { AUTOSSH_PATH: ssh255, AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '2' }, true);
    expect(code).toBe(0);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^<6>autossh-ts starting \(pid \d+\)$/);
    expect(lines).toContain('<6>ssh exited with error status 255; restarting ssh');
    expect(lines.at(-1)).toBe('<6>max start count reached; exiting');
    // every line is the journal's form: a priority, no timestamp of ours
    for (const line of lines) expect(line).toMatch(/^<[0-7]>[^<\d]/);
  });

  it('an error is <3>', () => {
    const { code, stderr } = runBin(['-M', '0', '-N', 'journal-host'], { AUTOSSH_PATH: join(dir, 'no-such-ssh'), AUTOSSH_GATETIME: '0' }, true);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^<3>${join(dir, 'no-such-ssh')}: .*$`, 'm'));
  });

  it('the daemon\'s lines and its tunnels\' too', async () => {
    const config = join(dir, 'journal.toml');
    writeFileSync(config, `[[tunnel]]\nname = "db"\nargs = ["-M", "0", "-N", "journal-daemon-host"]\nenv = { AUTOSSH_PATH = "${sshSleeps}" }\n`);
    const err = stderrFile();
    const daemon = spawn(process.execPath, [BIN, '--config', config], { env: cleanEnv({ JOURNAL_STREAM: err.journalStream }), stdio: ['ignore', 'ignore', err.fd] });
    closeSync(err.fd);
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => readFileSync(err.path, 'utf8').includes('db: ssh child pid is'), { timeoutMs: 10_000, what: 'the tunnel\'s ssh' });
      // a refused reload is an error line, once (not again as a plain stderr warning)
      writeFileSync(config, '[[tunnel]]\nname = "db"\nbogus = 1\n');
      daemon.kill('SIGHUP');
      await waitFor(() => readFileSync(err.path, 'utf8').includes('reload refused'), { timeoutMs: 10_000, what: 'the refused reload' });
    } finally {
      daemon.kill('SIGTERM');
    }
    expect(await exited).toBe(1);
    const lines = readFileSync(err.path, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(`<6>autossh-ts starting 1 tunnel(s) from ${config} (pid ${daemon.pid})`);
    expect(lines).toContain('<6>db: starting ssh (count 1)');
    expect(lines).toContain('<3>db: signalled to exit');
    expect(lines.filter((line) => line.includes('reload refused'))).toEqual([
      `<3>reload refused, the running tunnels are left as they were: ${config}:3: unknown key "bogus" in [[tunnel]] number 1 (known keys: name, args, env, restart, restart_sec, start_limit_burst, start_limit_interval_sec, restart_max_delay_sec)`,
    ]);
    for (const line of lines) expect(line).toMatch(/^<[0-7]>/);
  });

  it('with AUTOSSH_DEBUG the lines are 1.4g\'s debug lines, each once', () => {
    const { stderr } = runBin(['-M', '0', '-N', 'journal-host'], { AUTOSSH_PATH: ssh255, AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '1', AUTOSSH_DEBUG: '1' }, true);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.endsWith('ssh exited with error status 255; restarting ssh'))).toHaveLength(1);
    for (const line of lines) expect(line).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d autossh-ts\[\d+\]: /);
  });
});

describe('no syslog socket, stderr not the journal', { timeout: 30_000 }, () => {
  /** the built Logger in a process of its own, stderr into a file, syslog at `socket` */
  function logInChild(socket: string, journalStreamOf: 'another file' | 'none'): string {
    const err = stderrFile();
    const other = stderrFile();
    closeSync(other.fd);
    const script = `
      const { Logger, LogOutputs } = await import(${JSON.stringify(LOGGER)});
      const outputs = new LogOutputs({ progName: 'autossh-ts', syslogSocket: process.argv[1] });
      const daemon = new Logger({ progName: 'autossh-ts', logFile: null, logLevel: 7, debug: false, outputs });
      const tunnel = new Logger({ progName: 'autossh-ts', logFile: null, logLevel: 7, debug: false, outputs, tunnel: 'db' });
      daemon.log(6, 'first line');
      tunnel.log(3, 'second line');
      daemon.log(6, 'third line');
      outputs.close(() => process.exit(0));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, socket], {
      env: cleanEnv(journalStreamOf === 'another file' ? { JOURNAL_STREAM: other.journalStream } : {}),
      stdio: ['ignore', 'ignore', err.fd],
      timeout: 10_000,
    });
    closeSync(err.fd);
    expect(result.status).toBe(0);
    return readFileSync(err.path, 'utf8');
  }

  it('says once why, then every line goes to stderr as a log file has it', () => {
    const socket = join(dir, 'no-such-log.sock');
    for (const journal of ['none', 'another file'] as const) {
      const lines = logInChild(socket, journal).trimEnd().split('\n');
      expect(lines[0]).toBe(`autossh-ts: no ${socket} and stderr is not the journal: logging to stderr`);
      expect(lines.slice(1).map((line) => line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d autossh-ts\[\d+\]: /, ''))).toEqual([
        'first line',
        'db: second line',
        'third line',
      ]);
    }
  });

  it.runIf(!existsSync('/dev/log'))('-f on this host (no /dev/log) warns that the daemon\'s lines would be lost', () => {
    const { code, stderr } = runBin(['-f', '-M', '0', '-N', 'lost-lines-host'], { AUTOSSH_PATH: ssh255, AUTOSSH_MAXSTART: '1' }, false);
    expect(code).toBe(0);
    expect(stderr).toBe('autossh-ts: no /dev/log: the -f daemon\'s log lines will be lost; set AUTOSSH_LOGFILE to keep them\n');
  });
});
