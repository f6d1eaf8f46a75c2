// The built daemon's runs for an e2e test file: a scratch directory of its own, and every run
// started there stopped (and the directory removed) once the file's tests are done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;

export interface DaemonRuns {
  dir: string;
  /** autossh-ts with these arguments, in `dir`, with `env` over the test's environment */
  start(args: string[], env?: Record<string, string>): SupervisorRun;
}

/** Call at the top of a test file: the afterAll that cleans up is registered there. */
export function daemonRuns(prefix: string): DaemonRuns {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
  const runs: SupervisorRun[] = [];
  afterAll(async () => {
    for (const run of runs) await run.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    start(args, env = {}) {
      const run = spawnSupervisor({ cmd: AUTOSSH_TS, args, cwd: dir, env });
      runs.push(run);
      return run;
    },
  };
}
