// D12 AUTOSSH_JITTER through the real CLI: every restart waits up to JITTER s more, and two
// supervisors started together draw different waits (the CLI seeds the draw with its pid).
// ssh here is a script that fails at once, so only the waits between starts take time.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const JITTER_S = 2;
const MAX_START = 4;
const AUTOSSH_TS = SUPERVISORS[1]!;

describe('D12 AUTOSSH_JITTER through the CLI', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-jitter-'));
  const failingSsh = join(dir, 'ssh');
  writeFileSync(failingSsh, '#!/bin/sh\nexit 255\n');
  chmodSync(failingSsh, 0o755);
  const runs: E2eRun[] = [];

  afterAll(async () => {
    for (const run of runs) await run.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads each restart by up to JITTER s, differently per supervisor', async () => {
    const env = { AUTOSSH_PATH: failingSsh, AUTOSSH_JITTER: String(JITTER_S), AUTOSSH_MAXSTART: String(MAX_START) };
    const startedAt = performance.now();
    for (let i = 0; i < 2; i++) runs.push(startSupervisor(AUTOSSH_TS, ['-M', '0', '-N', 'host'], { env }));
    const ends = await Promise.all(runs.map(async (run) => ({ exit: await run.exited, afterMs: performance.now() - startedAt })));

    const waits = runs.map((run) => [...run.log().matchAll(/waiting (\d+) ms \(AUTOSSH_JITTER\) before restarting ssh/g)].map((m) => Number(m[1])));
    runs.forEach((run, i) => {
      expect(ends[i]!.exit, run.describe()).toEqual({ code: 0, signal: null }); // AUTOSSH_MAXSTART reached
      // the first start is never spread; each of the other three waits its own draw
      expect(waits[i], run.describe()).toHaveLength(MAX_START - 1);
      for (const ms of waits[i]!) expect(ms).toBeLessThan(JITTER_S * 1000);
      const waitedMs = waits[i]!.reduce((a, b) => a + b, 0);
      expect(ends[i]!.afterMs).toBeGreaterThanOrEqual(waitedMs);
      expect(ends[i]!.afterMs).toBeLessThan(waitedMs + 3_000);
    });
    expect(waits[0]).not.toEqual(waits[1]);
    console.info(`jitter waits: ${waits.map((w) => w.join('/')).join(' and ')} ms`);
  });
});
