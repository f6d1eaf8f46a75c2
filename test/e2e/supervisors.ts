// The supervisors every e2e test runs against, and how a test launches one: real /usr/bin/ssh,
// no gate time, a log file in a temp dir that failure messages quote.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Supervisor {
  name: string;
  cmd: string[];
}

export const SUPERVISORS: Supervisor[] = [
  { name: 'autossh 1.4g', cmd: ['/usr/lib/autossh/autossh'] },
  // The shipped bin, bundled by `npm run build` (npm test does it first). If it is missing, node
  // exits at once and the tests fail fast with "Cannot find module" in the message.
  { name: 'autossh-ts', cmd: [process.execPath, join(REPO_ROOT, 'dist/autossh-ts.mjs')] },
];

export interface E2eRun extends SupervisorRun {
  readonly dir: string;
  /** Where AUTOSSH_PIDFILE points when `pidFile: true` was asked for. */
  readonly pidFile: string;
  /** AUTOSSH_LOGFILE contents so far. */
  log(): string;
  /** Supervisor output and log, for assertion messages. */
  describe(): string;
  /** Awaits `p`; on rejection, adds output and log to the error message. */
  explain<T>(p: Promise<T>): Promise<T>;
  /** stop() and remove the temp dir. */
  cleanup(): Promise<void>;
}

export interface E2eRunOptions {
  env?: Record<string, string>;
  netns?: string;
  /** Set AUTOSSH_PIDFILE to a file in the run's temp dir. */
  pidFile?: boolean;
}

export function startSupervisor(sup: Supervisor, args: string[], opts: E2eRunOptions = {}): E2eRun {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-e2e-'));
  const logPath = join(dir, 'autossh.log');
  const pidFile = join(dir, 'autossh.pid');
  const run = spawnSupervisor({
    cmd: sup.cmd,
    args,
    netns: opts.netns,
    cwd: dir,
    env: {
      AUTOSSH_PATH: '/usr/bin/ssh',
      AUTOSSH_GATETIME: '0',
      AUTOSSH_LOGFILE: logPath,
      AUTOSSH_LOGLEVEL: '7',
      ...(opts.pidFile ? { AUTOSSH_PIDFILE: pidFile } : {}),
      ...opts.env,
    },
  });
  const log = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const describe = (): string => `--- ${sup.name} output ---\n${run.output()}\n--- log ---\n${log()}`;
  return Object.assign(run, {
    dir,
    pidFile,
    log,
    describe,
    async explain<T>(p: Promise<T>): Promise<T> {
      try {
        return await p;
      } catch (err) {
        if (err instanceof Error) err.message += `\n${describe()}`;
        throw err;
      }
    },
    async cleanup() {
      await run.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
