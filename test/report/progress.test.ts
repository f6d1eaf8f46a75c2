// simulate's progress: a bar with elapsed time and ETA on a terminal; bounded plain lines
// elsewhere. The built CLI (npm run build) is run with stderr a pipe, as CI runs it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createProgress, etaMs } from '../../lab/cli/progress.js';

/** A progress driven by a hand-moved clock, its output collected. */
function driven(terminal: boolean) {
  let now = 1_000_000;
  const out: string[] = [];
  const progress = createProgress({ write: (t) => out.push(t), terminal, nowMs: () => now });
  return { progress, out, advance: (ms: number) => { now += ms; } };
}

describe('simulate progress', () => {
  it('estimates the time left from the pace so far', () => {
    expect(etaMs(0, 5000)).toBeNull();
    expect(etaMs(0.25, 5000)).toBe(15_000);
    expect(etaMs(1, 5000)).toBe(0);
  });

  it('off a terminal: one plain line per 10 % however often it is told, with elapsed and ETA', () => {
    const { progress, out, advance } = driven(false);
    for (let step = 1; step <= 100; step++) {
      advance(100);
      progress.update(step / 100);
    }
    progress.finish();
    expect(out).toHaveLength(11);
    expect(out.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(out[0]).toBe('simulate: 10% elapsed 1s, ETA 9s\n');
    expect(out[9]).toBe('simulate: 100% elapsed 10s, ETA 0s\n');
    expect(out[10]).toBe('simulate: done in 10s\n');
  });

  it('off a terminal: a slow run still says something every 10 s', () => {
    const { progress, out, advance } = driven(false);
    advance(11_000);
    progress.update(0.01);
    advance(1_000);
    progress.update(0.02);
    expect(out).toEqual(['simulate: 1% elapsed 11s, ETA 18m9s\n']);
  });

  it('on a terminal: one bar redrawn in place, at most ten times a second', () => {
    const { progress, out, advance } = driven(true);
    for (let step = 1; step <= 100; step++) {
      advance(10);
      progress.update(step / 100);
    }
    progress.finish();
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out.every((t) => t.startsWith('\r'))).toBe(true);
    expect(out.at(-2)).toContain('100% elapsed 1s, ETA 0s');
    expect(out.at(-1)!.endsWith('\n')).toBe(true);
  });

  it('the built CLI prints plain lines when stderr is a pipe, and none with --no-progress', () => {
    const args = ['dist/lab/cli/lab.js', 'simulate', '--tunnels', '20', '--duration', '1d', '--workers', '1'];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines.at(-2)).toMatch(/^simulate: 100% elapsed \d.*, ETA 0s$/);
    expect(lines.at(-1)).toMatch(/^simulate: done in /);
    expect(run.stderr).not.toContain('\r');
    const quiet = spawnSync(process.execPath, [...args, '--no-progress'], { encoding: 'utf8' });
    expect(quiet.stderr).toBe('');
  });
});
