// `simulate --export-tunnel N`: one tunnel of a fleet as a timeline, which `replay` tells to the
// same figures the fleet measured for it. Through the built CLI, as a user runs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../sim/timeline/duration.js';

const LAB = join(process.cwd(), 'dist/lab/cli/lab.js');
const dir = mkdtempSync(join(tmpdir(), 'autossh-lab-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate --export-tunnel', () => {
  it('writes tunnel N as a timeline that replays to the fleet\'s own starts and downtime for it', () => {
    const file = join(dir, 't3.json');
    const said = execFileSync(process.execPath, [LAB, 'simulate', '--tunnels', '12', '--duration', '3d', '--faults', 'mobile', '--export-tunnel', '3', '--json', file], { encoding: 'utf8' });
    const m = /(\d+) ssh starts, down (\S+); timeline in/.exec(said);
    expect(m, said).not.toBeNull();
    const replayJson = join(dir, 't3.replay.json');
    execFileSync(process.execPath, [LAB, 'replay', file, '--json', replayJson, '--quiet'], { encoding: 'utf8' });
    const replayed = JSON.parse(readFileSync(replayJson, 'utf8')) as { runs: Array<{ summary: { sshStarts: number; downtimeMs: number } }> };
    const summary = replayed.runs[0]!.summary;
    expect(summary.sshStarts).toBe(Number(m![1]));
    expect(formatDuration(summary.downtimeMs)).toBe(m![2]);
    expect(summary.downtimeMs).toBeGreaterThan(0);
  });

  it('refuses a tunnel the fleet does not have: exit 2, naming the range', () => {
    const run = spawnSync(process.execPath, [LAB, 'simulate', '--tunnels', '5', '--export-tunnel', '5'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('expected a tunnel from 0 to 4, got 5');
  });
});
