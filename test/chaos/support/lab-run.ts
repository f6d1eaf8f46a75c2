// `autossh-lab chaos` run as a child process (dist/, built by `npm run build` before the tests),
// with its --json result, and a check that nothing it started is left.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listProcesses } from '../../../lab/world/proc-table.js';
import { sleep } from '../../../lab/world/wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAB = join(REPO_ROOT, 'dist/lab/cli/lab.js');
/** A run that hangs is killed: longer than any run the tests make. */
const GUARD_MS = 100_000;

export interface LabRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
  /** Each run gets its own TMPDIR: every sshd, ssh and supervisor it starts has it in its argv. */
  marker: string;
  /** The lab process's pid: its network namespaces and links are named after it. */
  pid: number | undefined;
}

export interface LabRunOptions {
  env?: Record<string, string>;
  /** SIGINT this long after the schedule started. */
  interruptAfterMs?: number;
}

/** Runs `autossh-lab chaos --json FILE ARGS...` with TMPDIR inside `base`. */
export function runLab(base: string, args: string[], opts: LabRunOptions = {}): Promise<LabRun> {
  const marker = mkdtempSync(join(base, 'run-'));
  const jsonPath = join(marker, 'result.json');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LAB, 'chaos', '--json', jsonPath, ...args], {
      env: { ...process.env, TMPDIR: marker, TOXIPROXY_URL: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interruptAfterMs = opts.interruptAfterMs;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      // Interrupt once the schedule runs, i.e. with sshd, proxy, supervisor and ssh all up.
      if (interruptAfterMs !== undefined && stderr.includes('schedule "')) {
        setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
        interruptAfterMs = undefined;
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), GUARD_MS);
    child.on('exit', (code) => {
      clearTimeout(guard);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(jsonPath, 'utf8'));
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json, marker, pid: child.pid });
    });
  });
}

/** Processes still alive with the run's marker in their command line (a short grace for exits). */
export async function leftovers(marker: string): Promise<string[]> {
  let found: string[] = [];
  for (let i = 0; i < 10; i++) {
    found = listProcesses()
      .filter((p) => p.state !== 'Z' && p.argv.some((a) => a.includes(marker)))
      .map((p) => `${p.pid} ${p.argv.join(' ')}`);
    if (found.length === 0) return found;
    await sleep(100);
  }
  return found;
}
