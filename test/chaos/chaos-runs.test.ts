// `autossh-lab chaos` end to end with autossh-ts (dist/, built by `npm run build` before the
// tests): real sshd, embedded Toxiproxy, real ssh. Each built-in fault must end with the tunnel
// carrying traffic again, with detection and recovery inside bounds explained next to each case;
// bad input must fail with a clear message, and nothing the lab started may survive it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, runLab as runLabIn, type LabRun, type LabRunOptions } from './support/lab-run.js';

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

const runLab = (args: string[], opts?: LabRunOptions): Promise<LabRun> => runLabIn(base, args, opts);

interface Measured {
  fault: string;
  detectMs: number | null;
  recoverMs: number | null;
  sshStarts: number;
  attribution: { endedBy: string; evidence: string | null; laterEnds: Record<string, number> };
}

function measurements(run: LabRun): Measured[] {
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
    // Who ended which: ServerAlive the first (its own words on stderr), the fault's end the next.
    expect(m!.attribution).toMatchObject({ endedBy: 'serverAlive', evidence: expect.stringMatching(/^Timeout, server .* not responding/) });
    expect(m!.attribution.laterEnds.faultEnd).toBe(1);
  });

  it('blackhole-pause: ServerAlive detects it, and nothing is closed when it ends', async () => {
    const run = await runLab(['--schedule', 'blackhole-pause']);
    await expectCleanRun(run);
    const [m] = measurements(run);
    expect(m!.detectMs).toBeGreaterThanOrEqual(ALIVE_INTERVAL_MS);
    expect(m!.detectMs).toBeLessThanOrEqual(SSH_GIVES_UP_MS + SLACK_MS);
    expect(m!.attribution.endedBy).toBe('serverAlive');
    // The ssh started during the pause waits in its key exchange and goes on when the pause ends:
    // it is not killed by the end, and it is the one that carries the tunnel again.
    expect(m!.attribution.laterEnds).toEqual({});
    expect(m!.sshStarts).toBe(1);
    expect(m!.recoverMs).toBeLessThanOrEqual(RESTART_MS + SLACK_MS);
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
      // ServerAlive needs ~2 s of silence (FIELD-NOTES): within 1.5 s it is the toxic's removal
      // that ends ssh, so this "detect" is the fault's end, and the attribution says so.
      expect(m.attribution.endedBy, `${m.fault}: ${JSON.stringify(m.attribution)}`).toBe('faultEnd');
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
