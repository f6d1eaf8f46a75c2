// `autossh-lab chaos` end to end with autossh-ts (dist/, built by `npm run build` before the
// tests): real sshd, embedded Toxiproxy, real ssh. Each built-in fault must end with the tunnel
// carrying traffic again, with detection and recovery inside bounds explained next to each case;
// bad input must fail with a clear message, and nothing the lab started may survive it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listProcesses } from '../../lab/world/proc-table.js';
import { sleep } from '../../lab/world/wait.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAB = join(REPO_ROOT, 'dist/lab/cli/lab.js');
// The defaults the lab runs with: -M 0 -o ServerAliveInterval=1 -o ServerAliveCountMax=2.
const ALIVE_INTERVAL_MS = 1_000;
const ALIVE_COUNT_MAX = 2;
/** ssh gives up after CountMax unanswered keepalives, one interval apart, after an idle interval. */
const SSH_GIVES_UP_MS = ALIVE_INTERVAL_MS * (ALIVE_COUNT_MAX + 1);
/** Our /proc polling (50 ms), canary spacing (100 ms) and a busy 2-core CI machine. */
const SLACK_MS = 1_000;
/** ssh spawn to first byte through the forward is ~0.3 s here (FIELD-NOTES); autossh restarts at once (GATETIME 0). */
const RESTART_MS = 2_000;
/**
 * Faults that make every new ssh fail at once (reset, sshd down) drive autossh 1.4g's backoff,
 * which autossh-ts reproduces: after 5 quick failures it sleeps 2 s, then 8 s. A 4 s fault ends
 * inside the 8 s sleep, so the next ssh starts ~2 + 8 - 4 = 6 s after the fault ends.
 */
const BACKOFF_RECOVERY_MS = 2_000 + 8_000 - 4_000 + RESTART_MS;

const base = mkdtempSync(join(tmpdir(), 'autossh-lab-chaos-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface LabRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
  /** Each run gets its own TMPDIR: every sshd, ssh and supervisor it starts has it in its argv. */
  marker: string;
}

function runLab(args: string[], opts: { env?: Record<string, string>; interruptAfterMs?: number } = {}): Promise<LabRun> {
  const marker = mkdtempSync(join(base, 'run-'));
  const jsonPath = join(marker, 'result.json');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LAB, 'chaos', '--json', jsonPath, ...args], {
      env: { ...process.env, TMPDIR: marker, TOXIPROXY_URL: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      // Interrupt once the schedule runs, i.e. with sshd, proxy, supervisor and ssh all up.
      if (opts.interruptAfterMs !== undefined && stderr.includes('schedule "')) {
        setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs);
        opts.interruptAfterMs = undefined;
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(jsonPath, 'utf8'));
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json, marker });
    });
  });
}

/** Processes still alive with the run's marker in their command line (a short grace for exits). */
async function leftovers(marker: string): Promise<string[]> {
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

function measurements(run: LabRun): Array<{ fault: string; detectMs: number | null; recoverMs: number | null; sshStarts: number }> {
  expect(run.json, `no JSON written; stderr:\n${run.stderr}`).toBeDefined();
  return run.json.supervisors[0].measurements;
}

async function expectCleanRun(run: LabRun): Promise<void> {
  expect(run.code, `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/fault\s+supervisor\s+duration\s+detect\s+recover/);
  expect(await leftovers(run.marker)).toEqual([]);
  for (const m of measurements(run)) expect(m.recoverMs, `${m.fault} never recovered:\n${run.stdout}`).not.toBeNull();
}

describe('autossh-lab chaos with autossh-ts', () => {
  it('blackhole: ServerAlive detects the silence, and the tunnel is back soon after', async () => {
    const run = await runLab(['--schedule', 'blackhole']);
    await expectCleanRun(run);
    const [m] = measurements(run);
    // ssh cannot give up before its first keepalive goes unanswered, nor later than SSH_GIVES_UP_MS.
    expect(m!.detectMs).toBeGreaterThanOrEqual(ALIVE_INTERVAL_MS);
    expect(m!.detectMs).toBeLessThanOrEqual(SSH_GIVES_UP_MS + SLACK_MS);
    // Lifting the timeout toxic closes the connection the new ssh hangs on: it exits, the next one works.
    expect(m!.recoverMs).toBeLessThanOrEqual(RESTART_MS + SLACK_MS);
    expect(m!.sshStarts).toBeGreaterThanOrEqual(1);
  });

  it('reset: the first packet after the fault starts kills the connection; recovery waits out the backoff', async () => {
    const run = await runLab(['--schedule', 'reset']);
    await expectCleanRun(run);
    const [m] = measurements(run);
    // reset_peer fires on the next data: a canary goes every 100 ms, a keepalive every second.
    expect(m!.detectMs).toBeLessThanOrEqual(ALIVE_INTERVAL_MS + SLACK_MS);
    expect(m!.recoverMs).toBeLessThanOrEqual(BACKOFF_RECOVERY_MS + SLACK_MS);
    // Every restart during the fault is reset again: several ssh starts.
    expect(m!.sshStarts).toBeGreaterThanOrEqual(2);
  });

  it('flap: every short outage ends with the tunnel back', async () => {
    const run = await runLab(['--schedule', 'flap']);
    await expectCleanRun(run);
    const faults = run.json.faults as Array<{ startMs: number; endMs: number }>;
    const ms = measurements(run);
    expect(ms).toHaveLength(3);
    ms.forEach((m, i) => {
      const durationMs = faults[i]!.endMs - faults[i]!.startMs;
      // 1.5 s is shorter than ServerAlive's limit: the ssh dies when the toxic is lifted (which
      // closes the held connection), or by ServerAlive if that comes first.
      expect(m.detectMs).not.toBeNull();
      expect(m.detectMs!).toBeLessThanOrEqual(Math.min(durationMs, SSH_GIVES_UP_MS) + SLACK_MS);
      expect(m.recoverMs!).toBeLessThanOrEqual(RESTART_MS + SLACK_MS);
    });
  });

  it('server-restart: sessions dropped are seen at once; the tunnel returns once sshd is back', async () => {
    const run = await runLab(['--schedule', 'server-restart']);
    await expectCleanRun(run);
    const [m] = measurements(run);
    // Killing the session closes the TCP connection: ssh exits on EOF, no keepalive needed.
    expect(m!.detectMs).toBeLessThanOrEqual(SLACK_MS);
    expect(m!.recoverMs).toBeLessThanOrEqual(BACKOFF_RECOVERY_MS + SLACK_MS);
  });
});

describe('autossh-lab chaos on bad input', () => {
  it('an unknown step type: a message naming the step and the known types, exit 2, nothing started', async () => {
    const file = join(base, 'unknown.json');
    writeFileSync(file, JSON.stringify({ steps: [{ type: 'timeout', at: '1s', duration: '2s' }, { type: 'explode', duration: '1s' }] }));
    const run = await runLab(['--schedule', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('step 2: unknown type "explode"; expected one of latency, timeout');
    expect(await leftovers(run.marker)).toEqual([]);
  });

  it('a toxic the server rejects: its reason, exit 2, and the sshd already started is gone', async () => {
    const file = join(base, 'rejected.json');
    writeFileSync(file, JSON.stringify({ steps: [{ type: 'latency', at: '1s', duration: '2s', attributes: { latency: 'lots' } }] }));
    const run = await runLab(['--schedule', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/sshd on 127\.0\.0\.1:\d+/);
    expect(run.stderr).toMatch(/schedule step "latency".*Toxiproxy answered 400: .*latency/);
    expect(await leftovers(run.marker)).toEqual([]);
  });

  it('an unreachable TOXIPROXY_URL: says so, exit 2', async () => {
    const run = await runLab(['--schedule', 'blackhole'], { env: { TOXIPROXY_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Toxiproxy at http://127.0.0.1:9 is unreachable');
    expect(await leftovers(run.marker)).toEqual([]);
  });

  it('Ctrl-C during a fault: exit 130, no sshd, ssh or supervisor left', async () => {
    const run = await runLab(['--schedule', 'blackhole'], { interruptAfterMs: 2_500 });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('interrupted');
    expect(await leftovers(run.marker)).toEqual([]);
  });
});
