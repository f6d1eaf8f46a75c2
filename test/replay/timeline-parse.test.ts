import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../sim/schema/duration.js';
import { parseTimePoint, formatDuration } from '../../sim/timeline/duration.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { parseTimelineText } from '../../sim/timeline/load.js';
import { TimelineError } from '../../sim/timeline/errors.js';

const base = { config: { args: ['-M', '20000', 'host'] } };
const errorOf = (value: unknown): TimelineError => {
  try {
    parseTimeline(value, 'incident.json');
  } catch (error) {
    if (error instanceof TimelineError) return error;
    throw error;
  }
  throw new Error('expected a TimelineError');
};

describe('durations and time points', () => {
  it('reads relative forms', () => {
    expect(parseDurationMs('90s', 'seconds')).toBe(90_000);
    expect(parseDurationMs('1h30m', 'seconds')).toBe(5_400_000);
    expect(parseDurationMs('250ms', 'seconds')).toBe(250);
    expect(parseDurationMs('2d', 'seconds')).toBe(172_800_000);
    expect(parseDurationMs('1.5s', 'seconds')).toBe(1500);
    expect(parseTimePoint('+5m')).toEqual({ kind: 'relative', offsetMs: 300_000 });
    expect(parseDurationMs('soon', 'seconds')).toBeNull();
    expect(parseDurationMs('5 m', 'seconds')).toBeNull();
    expect(parseDurationMs('5x', 'seconds')).toBeNull();
  });
  it('reads ISO instants', () => {
    expect(parseTimePoint('2024-05-01T03:00:00Z')).toEqual({ kind: 'absolute', epochMs: Date.UTC(2024, 4, 1, 3) });
    expect(parseTimePoint('2024-05-01T05:00:00+02:00')).toEqual({ kind: 'absolute', epochMs: Date.UTC(2024, 4, 1, 3) });
    expect(parseTimePoint('2024-05-01')).toBeNull();
  });
  it('formats durations back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(57_520)).toBe('57.52s');
  });
});

describe('timeline parsing', () => {
  it('mixes relative and absolute times against the start, sorted', () => {
    const t = parseTimeline({
      ...base,
      start: '2024-05-01T18:00:00Z',
      facts: [
        { at: '2024-05-01T19:00:00Z', kind: 'serverRestart', for: '90s' },
        { at: '+20m', kind: 'outage', for: '5m' },
        { at: '90s', kind: 'signal', signal: 'SIGUSR1' },
      ],
    }, 'x.json');
    expect(t.facts.map((f) => [f.kind, f.atMs])).toEqual([['signal', 90_000], ['outage', 1_200_000], ['serverRestart', 3_600_000]]);
    expect(t.facts[1]).toMatchObject({ mode: 'blackhole', forMs: 300_000 });
    const modes = parseTimeline({ ...base, facts: [
      { at: '+1m', kind: 'outage', mode: 'stale-flows', for: '1ms' }, { at: '+2m', kind: 'outage', mode: 'link', for: '5m' },
    ] }, 'x.json');
    expect(modes.facts.map((f) => f.kind === 'outage' && [f.mode, f.forMs])).toEqual([['stale-flows', 1], ['link', 300_000]]);
    // no duration: 30 min past the last fact's end
    expect(t.durationMs).toBe(3_690_000 + 1_800_000);
  });
  it('anchors at the earliest absolute time when there is no start', () => {
    const t = parseTimeline({ ...base, facts: [{ at: '2024-05-01T19:00:00Z', kind: 'sshCrash' }, { at: '2024-05-01T19:10:00Z', kind: 'sshCrash', exit: 1 }] }, 'x.json');
    expect(t.startEpochMs).toBe(Date.UTC(2024, 4, 1, 19));
    expect(t.facts.map((f) => f.atMs)).toEqual([0, 600_000]);
  });
  it('names the file, the JSON path and what was expected', () => {
    const e = errorOf({ ...base, facts: [{ at: '+1m', kind: 'outage', for: '5m' }, { at: '+2m', kind: 'outage', for: 'soon' }] });
    expect(e.message).toBe('incident.json: $.facts[1].for: expected a duration like "90s", "+5m" or "1h30m", got "soon"');
    expect(errorOf({ ...base, facts: [{ at: 'tomorrow', kind: 'outage', for: '1m' }] }).jsonPath).toBe('$.facts[0].at');
    expect(errorOf({ ...base, facts: [{ at: '1m', kind: 'meteor' }] }).message).toContain('$.facts[0].kind: expected one of outage');
    expect(errorOf({ ...base, facts: [{ at: '1m', kind: 'outage', for: '1m', mode: 'flaky' }] }).message).toBe(
      'incident.json: $.facts[0].mode: expected one of blackhole, refuse, reset, stale-flows, link, got "flaky"',
    );
    expect(errorOf({ ...base, facts: [{ at: '1m', kind: 'signal', signal: 'SIGKILL' }] }).jsonPath).toBe('$.facts[0].signal');
    expect(errorOf({ config: { args: 'host' } }).jsonPath).toBe('$.config.args');
    expect(errorOf({ config: { args: ['h'], env: { AUTOSSH_POLL: 60 } } }).jsonPath).toBe('$.config.env.AUTOSSH_POLL');
    expect(errorOf({ ...base, facts: [{ at: '1m', kind: 'outage', for: '1m', fro: 1 }] }).jsonPath).toBe('$.facts[0].fro');
    expect(errorOf({ ...base, start: '2024-05-01T18:00:00Z', facts: [{ at: '2024-05-01T17:00:00Z', kind: 'sshCrash' }] }).jsonPath).toBe('$.facts[0].at');
  });
  it('says what was found: a missing field, a wrong type, an unknown field', () => {
    expect(errorOf({ config: {} }).message).toBe(
      'incident.json: $.config.args: expected an array of strings (autossh arguments, without "autossh"), but it is missing',
    );
    expect(errorOf({ ...base, world: { rttMs: 'fast' } }).message).toBe('incident.json: $.world.rttMs: expected a whole number >= 0, got "fast"');
    expect(errorOf({ ...base, facts: [{ at: '1m', kind: 'latency', for: '1m', addMs: 5, mode: 'reset' }] }).message).toBe(
      'incident.json: $.facts[0].mode: unknown field (known: at, ssh, after, kind, for, note, addMs)',
    );
    // a typo explains the missing field it stands for: the unknown field is named first
    expect(errorOf({ ...base, facts: [{ at: '1m', kind: 'outage', fro: '1m' }] }).jsonPath).toBe('$.facts[0].fro');
  });
  it('reports JSON syntax errors with the file', () => {
    expect(() => parseTimelineText('{"config": ', 'broken.json')).toThrow(/^broken\.json: \$: expected valid JSON/);
  });
});
