// The log check names where a replay parts from the log and the setting most likely behind it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logToTimeline } from '../../sim/import/log-to-timeline.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';
import { formatLogCheck } from '../../sim/replay/check-log.js';

function check(log: string, settings: string[]) {
  const timeline = parseTimeline(logToTimeline(readFileSync(`test/fixtures/logs/${log}.log`, 'utf8'), { name: log }).timeline, log);
  return replayAll(timeline, settings, [])[0]!.logCheck!;
}

describe('the log check', () => {
  it.each([
    ['gate0_maxstart9_grace_debug', 'AUTOSSH_POLL=100', 12, /AUTOSSH_POLL/, 'sleeping for grace time 2 secs'],
    ['gate0_maxstart9_grace_info', 'AUTOSSH_POLL=100', 12, /AUTOSSH_POLL/, 'starting ssh (count 7 of 9)'],
    ['gate0_maxstart9_grace_info', 'AUTOSSH_MAXSTART=3', 0, /^AUTOSSH_MAXSTART=9$/, 'starting ssh (count 1 of 9)'],
    ['gate0_maxstart9_grace_info', 'AUTOSSH_GATETIME=30', 1, /^AUTOSSH_GATETIME=0/, 'ssh exited with error status 255; restarting ssh'],
    ['default_gate_premature_info', 'AUTOSSH_GATETIME=0', 1, /AUTOSSH_GATETIME longer/, 'ssh exited prematurely with status 255; autossh exiting'],
  ])('%s with --set %s: parts after %i, hints %s', (log, setting, reproduced, hint, loggedMessage) => {
    const c = check(log, [setting]);
    expect(c.reproduced).toBe(reproduced);
    expect(c.divergence!.logged!.message).toBe(loggedMessage);
    expect(c.divergence!.likelyMissing).toMatch(hint);
    expect(formatLogCheck(c)).toContain(`reproduces ${reproduced} of ${c.logged} logged decisions; they part at decision ${reproduced + 1}:`);
  });

  it('reproduces everything with what the log itself says', () => {
    expect(formatLogCheck(check('gate0_maxstart9_grace_info', []))).toBe('log check: reproduces 19 of 19 logged decisions\n');
  });
});

describe('the log check and the import\'s known limits', () => {
  it('names the limit the import listed as the cause, not -M or AUTOSSH_POLL', () => {
    // 1.4g's tests were refused at once; the simulated world fails them a net timeout later
    const log = 'monitor_portdown_poll4_maxstart2_info';
    const timeline = parseTimeline(logToTimeline(readFileSync(`test/fixtures/logs/${log}.log`, 'utf8'), { name: log }).timeline, log);
    const limit = timeline.unknowns.find((u) => /connection test\(s\) were refused at once/.test(u))!;
    expect(limit).toBeDefined();
    const c = replayAll(timeline, [], [])[0]!.logCheck!;
    expect(c.divergence!.logged!.message).toBe('port down, restarting ssh');
    expect(c.divergence!.knownLimit).toBe(limit);
    expect(c.divergence!.likelyMissing).toBeNull();
    const text = formatLogCheck(c);
    expect(text).toContain(`not a missing setting: the import named this as what the simulated world cannot replay: ${limit}`);
    expect(text).not.toMatch(/likely missing setting/);
  });

  it('without that unknown, the same divergence still blames the settings that place the tests', () => {
    const log = 'monitor_portdown_poll4_maxstart2_info';
    const timeline = parseTimeline(logToTimeline(readFileSync(`test/fixtures/logs/${log}.log`, 'utf8'), { name: log }).timeline, log);
    const c = replayAll({ ...timeline, unknowns: timeline.unknowns.filter((u) => !/refused at once/.test(u)) }, [], [])[0]!.logCheck!;
    expect(c.divergence!.knownLimit).toBeNull();
    expect(c.divergence!.likelyMissing).toMatch(/^-M, AUTOSSH_POLL or AUTOSSH_FIRST_POLL/);
  });
});
