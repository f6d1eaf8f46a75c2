// Schedule files as `autossh-lab chaos --schedule FILE` reads them: the file and the step are named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchedule, parseSchedule } from '../../lab/chaos/schedule/parse.js';
import { parseTimeline } from '../../sim/timeline/parse.js';

const fileWith = (json: unknown): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'schedule-')), 'nightly.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
};

describe('schedule files', () => {
  it('names the file, the step and the field', () => {
    const file = fileWith({ steps: [{ type: 'timeout', duration: '1s' }, { type: 'timeout', duration: '1s', toxicty: 0.5 }] });
    expect(() => loadSchedule(file)).toThrow(
      `${file}: step 2: unknown field "toxicty"; a step has name, type, at, duration, attributes, stream, toxicity, repeat, every`,
    );
    expect(() => loadSchedule(fileWith([{ type: 'timeout', duration: true }])))
      .toThrow(/nightly\.json: step 1: "duration": expected milliseconds or a time like "500ms", "5s", "1\.5s", "2m", got true$/);
    expect(() => loadSchedule(fileWith([{ type: 'timeout', duration: '2s', repeat: 2 }])))
      .toThrow(/nightly\.json: step 1: "every" is required with "repeat"/);
  });

  it('ignores unknown fields at the top, as it always has', () => {
    expect(parseSchedule({ name: 'n', notes: 'for Tuesday', steps: [{ type: 'timeout', duration: '1s' }] }).name).toBe('n');
  });

  it('reads a bare number as milliseconds, where a timeline reads it as seconds', () => {
    expect(parseSchedule([{ type: 'timeout', at: '500', duration: 250 }]).steps[0]).toMatchObject({ atMs: 500, durationMs: 250 });
    const timeline = parseTimeline({ config: { args: ['host'] }, facts: [{ at: '500', kind: 'sshCrash' }] }, 't.json');
    expect(timeline.facts[0]!.atMs).toBe(500_000);
  });
});

describe('schedule times are held to a day', () => {
  // Node fires a timer of 2^31 ms (24.8 days) or more after 1 ms: "25d" used to switch at once and "recover"
  it('refuses a time past 24 h, naming the step, the field and the bound', () => {
    expect(() => parseSchedule([{ type: 'timeout', at: '25d', duration: '5s' }]))
      .toThrow('step 1: "at": "25d" is longer than a chaos run may be: at most 24h (86400000 ms)');
    expect(() => parseSchedule([{ type: 'timeout', duration: '1s' }, { type: 'timeout', duration: 2 ** 31 }]))
      .toThrow('step 2: "duration": 2147483648 is longer than a chaos run may be: at most 24h (86400000 ms)');
    expect(() => parseSchedule({ recoveryTimeout: '2d', steps: [{ type: 'timeout', duration: '1s' }] }))
      .toThrow('"recoveryTimeout": "2d" is longer than a chaos run may be');
  });

  it('refuses a schedule whose last fault ends past 24 h, however its times add up', () => {
    expect(() => parseSchedule([{ type: 'timeout', at: '20h', duration: '5h' }]))
      .toThrow('step 1: "duration": the fault ends ("at" + "duration") 90000000 ms after the start; a chaos run may be at most 24h (86400000 ms)');
    expect(() => parseSchedule([{ type: 'timeout', duration: '1s', repeat: 100, every: '1h' }]))
      .toThrow('step 1: "repeat": its last occurrence ends 356401000 ms after the start; a chaos run may be at most 24h');
    // exactly a day is still a schedule
    expect(parseSchedule([{ type: 'timeout', at: '23h', duration: '1h' }]).steps[0]!.atMs).toBe(82_800_000);
  });

  it('a run clock waits past 2^31 ms instead of firing at once, and still stops on its signal', async () => {
    const { ChaosAbortedError, RunClock } = await import('../../lab/chaos/run-clock.js');
    const controller = new AbortController();
    const clock = new RunClock(controller.signal);
    let settled = false;
    const waiting = clock.sleep(2 ** 31 + 5_000).finally(() => { settled = true; });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(ChaosAbortedError);
  });

  it('autossh-lab chaos refuses --recovery-timeout past a day before starting anything', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['dist/lab/cli/lab.js', 'chaos', '--recovery-timeout', '2592000'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('autossh-lab: --recovery-timeout "2592000": expected seconds, more than 0 and at most 86400 (a day)\n');
    expect(run.status).toBe(2);
  });
});
