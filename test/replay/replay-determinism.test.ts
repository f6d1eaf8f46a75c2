import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTimeline } from '../../sim/timeline/load.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';
import { replayJson, formatTrace } from '../../sim/replay/format.js';
import { applyConfigSpec } from '../../sim/replay/config-spec.js';

const FIXTURE = 'test/fixtures/timelines/wifi-evening.json';
const COMPARE = ['-M 0 -o ServerAliveInterval=15 -o ServerAliveCountMax=3', 'AUTOSSH_POLL=60'];

describe('replay', () => {
  it('is a pure function of the timeline: same bytes twice', () => {
    const t = loadTimeline(FIXTURE);
    const a = replayJson(t, replayAll(t, [], COMPARE));
    const b = replayJson(loadTimeline(FIXTURE), replayAll(loadTimeline(FIXTURE), [], COMPARE));
    expect(a).toBe(b);
    const json = JSON.parse(a);
    expect(json.summary).toMatchObject({ sshStarts: expect.any(Number), exitCode: null, downtimeMs: expect.any(Number) });
    expect(json.decisions.length).toBeGreaterThan(5);
    expect(json.runs).toHaveLength(3);
  });
  it('eliding healthy connection tests changes nothing', () => {
    const t = loadTimeline(FIXTURE);
    for (const spec of ['timeline', ...COMPARE, 'AUTOSSH_POLL=30 -M 20000:7']) {
      const fast = replayAll(t, [], [spec], { elideHealthyPolls: true })[1]!;
      const slow = replayAll(t, [], [spec], { elideHealthyPolls: false })[1]!;
      expect(formatTrace(t, fast)).toBe(formatTrace(t, slow));
      expect(fast.summary).toEqual(slow.summary);
    }
  });
  it('--set and comparison specs rewrite the configuration', () => {
    const t = loadTimeline(FIXTURE);
    const [base, poll] = replayAll(t, ['AUTOSSH_POLL=30'], ['AUTOSSH_POLL=60']);
    expect(base!.config.env.AUTOSSH_POLL).toBe('30');
    expect(poll!.config.env.AUTOSSH_POLL).toBe('30'); // --set applies to every run, last
    const spec = applyConfigSpec({ name: 't', args: ['-M', '20000', '-o', 'ServerAliveInterval=60', 'host'], env: {} }, '-M 0 -o ServerAliveInterval=15');
    expect(spec.args).toEqual(['-o', 'ServerAliveInterval=15', '-M', '0', 'host']);
    expect(() => applyConfigSpec(spec, 'POLL=60')).toThrow(/cannot use "POLL=60"/);
  });
  it('the fixture shows what the configurations change', () => {
    const t = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    expect(t.facts.length).toBeGreaterThan(3);
    const [defaults, alive, poll60] = replayAll(loadTimeline(FIXTURE), [], COMPARE);
    // a 12 min blackhole: the 10 min poll notices late, POLL=60 notices soonest
    const worst = (r: typeof defaults) => r!.summary.recoveries[0]!.recoverMs!;
    expect(worst(poll60)).toBeLessThan(worst(alive));
    expect(worst(alive)).toBeLessThan(worst(defaults));
  });
});
