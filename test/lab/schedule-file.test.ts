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
