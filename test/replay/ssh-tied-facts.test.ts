// A fact tied to the n-th ssh ("ssh #3 exits 255 after 2 s") happens in that ssh's life
// whenever the replay starts it, so a replay stays aligned with a log however its 1 s stamps
// round; an instant one is dropped if that ssh is already gone. Old timelines stay valid.
import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { TimelineError } from '../../sim/timeline/errors.js';
import { replay } from '../../sim/replay/run-replay.js';

const config = { args: ['-M', '0', 'host'], env: { AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '4' } };

function errorOf(value: unknown): TimelineError {
  try {
    parseTimeline(value, 't.json');
  } catch (error) {
    return error as TimelineError;
  }
  throw new Error('expected an error');
}

describe('facts tied to the n-th ssh', () => {
  it('happen that long into that ssh\'s life, wherever the replay put its start', () => {
    const t = parseTimeline({
      config, duration: '10m',
      facts: [1, 2, 3].map((ssh) => ({ ssh, after: '1500ms', kind: 'sshCrash', exit: 255 })),
    }, 't.json');
    expect(t.sshFacts.map((f) => [f.ssh, f.afterMs])).toEqual([[1, 1500], [2, 1500], [3, 1500]]);
    const r = replay(t, t.config);
    expect(r.sshRuns.slice(0, 3).map((s) => [s.n, s.endMs! - s.startMs, s.end])).toEqual([[1, 1500, 'exit 255'], [2, 1500, 'exit 255'], [3, 1500, 'exit 255']]);
    // the fourth has no fact: it runs on
    expect(r.sshRuns).toHaveLength(4);
    expect(r.sshRuns[3]!.end).toBeNull();
    expect(r.summary.recoveries.filter((x) => x.fact === 'ssh exits with status 255')).toHaveLength(3);
  });

  it('drops an instant fact whose ssh is already gone', () => {
    const t = parseTimeline({
      config, duration: '10m',
      facts: [{ ssh: 1, after: '1s', kind: 'sshCrash', exit: 255 }, { ssh: 1, after: '5s', kind: 'signal', signal: 'SIGTERM' }],
    }, 't.json');
    const r = replay(t, t.config);
    expect(r.logs.some((l) => l.message.startsWith('received signal to exit'))).toBe(false);
    // ssh #2 has no fact: it runs on, and the SIGTERM meant for ssh #1's life never comes
    expect(r.sshRuns.length).toBe(2);
    expect(r.summary.exitCode).toBeNull();
  });

  it('want either "at" or "ssh", not both and not neither', () => {
    const both = errorOf({ config, facts: [{ at: '1s', ssh: 2, kind: 'sshCrash' }] });
    expect(both.message).toBe('t.json: $.facts[0].at: expected either "at" (a time) or "ssh" (the n-th ssh, with an optional "after"), not both and not neither');
    expect(errorOf({ config, facts: [{ kind: 'sshCrash' }] }).jsonPath).toBe('$.facts[0].at');
    expect(errorOf({ config, facts: [{ ssh: 0, kind: 'sshCrash' }] }).message).toBe('t.json: $.facts[0].ssh: expected an ssh number from 1, got 0');
  });

  it('leave timelines written with "at" alone as they were', () => {
    const t = parseTimeline({ config, duration: '1h', facts: [{ at: '+5m', kind: 'sshCrash', signal: 'SIGSEGV' }] }, 't.json');
    expect(t.facts).toEqual([{ kind: 'sshCrash', atMs: 300_000, exitCode: null, signal: 'SIGSEGV' }]);
    expect(t.sshFacts).toEqual([]);
    expect(t.source).toBeNull();
  });
});
