// Logs recorded from the REAL autossh 1.4g (test/fixtures/logs/record.sh: Debian's
// /usr/lib/autossh/autossh supervising a fake ssh), imported with no --args and no --set: the
// configuration comes out of the log, and the replay reproduces the logged starts, the exit
// code and every logged decision in order, to the log's second.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logToTimeline } from '../../sim/import/log-to-timeline.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';

const DIR = 'test/fixtures/logs';
const LOGS = readdirSync(DIR).filter((f) => f.endsWith('.log')).map((f) => f.replace(/\.log$/, '')).sort();

/** recordings the simulated world cannot replay to the second, and the unknown that must say why */
const KNOWN_LIMITS: Record<string, RegExp> = {
  // the fake ssh forwards nothing: 1.4g's tests are refused at once; the world's fail a net timeout later
  monitor_portdown_poll4_maxstart2_info: /2 connection test\(s\) were refused at once/,
};

function importAndReplay(name: string, dir = DIR) {
  const text = readFileSync(`${dir}/${name}.log`, 'utf8');
  const imported = logToTimeline(text, { name });
  const timeline = parseTimeline(JSON.parse(JSON.stringify(imported.timeline)), name);
  const [result] = replayAll(timeline, [], []);
  return { text, imported, timeline, result: result! };
}

describe('real 1.4g logs, imported with nothing but the log, replay as logged', () => {
  it('has the recordings', () => expect(LOGS.length).toBeGreaterThanOrEqual(10));

  for (const name of LOGS) {
    it(name, () => {
      const { text, imported, result } = importAndReplay(name);
      const loggedStarts = text.split('\n').filter((l) => / starting ssh \(count /.test(l)).length;
      const loggedExit = Number(readFileSync(`${DIR}/${name}.exit`, 'utf8').trim());
      expect(result.summary.sshStarts).toBe(loggedStarts);
      expect(result.summary.exitCode).toBe(loggedExit);
      const limit = KNOWN_LIMITS[name];
      if (limit) {
        // what the world cannot replay is named, and the replay parts from the log only in time
        expect(imported.unknowns.join('\n')).toMatch(limit);
        const d = result.logCheck!.divergence!;
        expect(d.logged!.message).toBe(d.replayed!.message);
        return;
      }
      expect(result.logCheck?.divergence, JSON.stringify(result.logCheck?.divergence)).toBeNull();
      expect(result.logCheck?.reproduced).toBe(result.logCheck?.logged);
      expect(result.logCheck!.logged).toBeGreaterThanOrEqual(2);
    });
  }

  // the earlier recordings (by /work/shared/oracle/run-scenario), once replayed only with their
  // configuration given: now read out of the log too
  const OLDER = 'test/fixtures/autossh-logs';
  for (const name of readdirSync(OLDER).filter((f) => f.endsWith('.log')).map((f) => f.replace(/\.log$/, '')).sort()) {
    it(`${name} (older recording)`, () => {
      const { text, result } = importAndReplay(name, OLDER);
      expect(result.summary.sshStarts).toBe(text.split('\n').filter((l) => / starting ssh \(count /.test(l)).length);
      expect(result.logCheck?.divergence, JSON.stringify(result.logCheck?.divergence)).toBeNull();
    });
  }

  it("reads the issue's case (gate 0, default POLL, 9 starts waiting 2, 8 and 18 s) at either log level", () => {
    for (const name of ['gate0_maxstart9_grace_debug', 'gate0_maxstart9_grace_info']) {
      const { timeline, result } = importAndReplay(name);
      const read = Object.fromEntries(timeline.source!.inferences.map((i) => [i.setting, i.value]));
      expect(read).toMatchObject({ AUTOSSH_MAXSTART: '9', AUTOSSH_GATETIME: '0', '-M': '0' });
      // POLL narrowed to a range around the default, from the logged waits or, at the default
      // level, from the gaps between each exit and the next start (to ±1 s)
      const poll = timeline.source!.inferences.find((i) => i.setting === 'AUTOSSH_POLL')!;
      expect(poll.detail).toMatch(/600/);
      const [, lo, hi] = /(\d+)\.\.(\d+)/.exec(poll.detail)!;
      expect(Number(lo)).toBeGreaterThan(500);
      expect(Number(hi)).toBeLessThan(700);
      // LOG_DEBUG cites the first check's alarm; the default level, the first start past the
      // fast tries (the first that waited out a grace time)
      expect(poll.text).toBe(name.endsWith('_debug') ? 'set alarm for 600 secs' : 'starting ssh (count 7 of 9)');
      const starts = result.sshRuns.map((r) => r.startMs / 1000);
      expect(starts.slice(6)).toEqual([2, 10, 28]);
      // autossh ended on purpose (its starts used up): downtime is counted until then
      expect(result.summary.countedUntilMs).toBe(28_000);
    }
  });

  it('reads POLL from the net timeout, -M 0 or monitoring on, the gate from the first exit', () => {
    const poll10 = importAndReplay('gate0_maxstart8_poll10_debug').timeline.config;
    expect(poll10.env).toMatchObject({ AUTOSSH_POLL: '10', AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '8' });
    const monitored = importAndReplay('monitor20000_poll4_gate0_maxstart3_debug').timeline;
    expect(monitored.config.args.slice(0, 2)).toEqual(['-M', '20000']);
    expect(monitored.config.env.AUTOSSH_POLL).toBe('4');
    expect(monitored.unknowns.join('\n')).toMatch(/monitor port/);
    // LOGLEVEL 7's "set alarm for N secs" after a start: POLL, or FIRST_POLL when POLL cannot be N
    expect(importAndReplay('gate2_lives3s_maxstart3_poll40_debug').timeline.config.env.AUTOSSH_POLL).toBe('40');
    const firstPoll = importAndReplay('first_poll7_poll40_maxstart2_debug').timeline.config.env;
    expect(firstPoll).toMatchObject({ AUTOSSH_FIRST_POLL: '7' });
    expect(firstPoll.AUTOSSH_POLL).toBeUndefined();
    const premature = importAndReplay('default_gate_premature_info').timeline;
    expect(premature.config.env.AUTOSSH_GATETIME).toBeUndefined();
    expect(premature.unknowns.join('\n')).toMatch(/AUTOSSH_POLL: only bounded \(at least 30 s\)/);
  });

  it('replays a log cut in the middle of a run from its first logged start, and names what it cannot show', () => {
    const lines = readFileSync(`${DIR}/gate0_maxstart9_grace_info.log`, 'utf8').split('\n');
    const text = lines.slice(6).join('\n'); // opens with ssh #2's exit, then "starting ssh (count 3 of 9)"
    const imported = logToTimeline(text, { name: 'cut' });
    const timeline = parseTimeline(imported.timeline, 'cut');
    expect(imported.unknowns.join('\n')).toMatch(/-M: the log does not show whether monitoring was on/);
    expect(imported.unknowns.join('\n')).toMatch(/starts in the middle of a run/);
    expect(imported.unknowns.join('\n')).toMatch(/grace-time tries counted before the log opens/);
    // ssh #3 of the log is the replay's #1; 7 of the 9 starts are left; past the gate
    expect(timeline.sshFacts[0]!.ssh).toBe(1);
    expect(timeline.config.env).toMatchObject({ AUTOSSH_MAXSTART: '7', AUTOSSH_GATETIME: '0' });
    const [result] = replayAll(timeline, [], []);
    expect(result!.summary.sshStarts).toBe(7);
    expect(result!.summary.exitCode).toBe(0);
    // the counts agree; the waits part where the fast tries before the log would have counted
    expect(result!.logCheck!.reproduced).toBeGreaterThanOrEqual(8);
  });

  it('ties each exit to its ssh, however the 1 s stamps round', () => {
    const { timeline } = importAndReplay('gate0_every2s_maxstart5_info');
    expect(timeline.sshFacts.map((f) => [f.ssh, f.afterMs])).toEqual([[1, 2000], [2, 2000], [3, 2000], [4, 2000], [5, 2000]]);
    expect(timeline.facts).toEqual([]);
  });
});

describe('a long log', () => {
  it('imports 30000 restarts in linear time, and narrows POLL from their gaps', () => {
    const lines = ['2024/05/01 00:00:00 autossh[7]: port set to 0, monitoring disabled'];
    const stamp = (s: number): string => new Date(Date.UTC(2024, 4, 1) + s * 1000).toISOString().replace(/-/g, '/').replace('T', ' ').slice(0, 19);
    for (let n = 1; n <= 30_000; n++) {
      lines.push(`${stamp((n - 1) * 20)} autossh[7]: starting ssh (count ${n})`);
      lines.push(`${stamp(n * 20)} autossh[7]: ssh exited with error status 255; restarting ssh`);
    }
    const started = performance.now();
    const imported = logToTimeline(lines.join('\n'), { name: 'long' });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(imported.facts).toBe(30_000);
    // restarts 20 s apart never count as fast tries only while max(POLL/10, 10) <= 20
    const poll = (imported.timeline.source as { inferences: Array<{ setting: string; detail: string }> }).inferences.find((i) => i.setting === 'AUTOSSH_POLL')!;
    expect(poll.detail).toMatch(/fit POLL 30\.\.209/);
  }, 20_000);
});

describe('a long backoff logged to the second', () => {
  it('replays all of its starts: each exit belongs to its ssh, not to a rounded second', () => {
    // 1.4g's waits with POLL 600 and gate 0: 5 fast starts, then 2, 8, 18, 32, 50, ... s (capped
    // at 600); each ssh fails 0.6 s in; the log floors every time to its second
    const stamp = (ms: number): string => new Date(Date.UTC(2024, 4, 1) + ms).toISOString().replace(/-/g, '/').replace('T', ' ').slice(0, 19);
    const lines = [`${stamp(0)} autossh[7]: port set to 0, monitoring disabled`];
    let nowMs = 300;
    let tries = 0;
    for (let n = 1; n <= 20; n++) {
      lines.push(`${stamp(nowMs)} autossh[7]: starting ssh (count ${n} of 20)`);
      const exitMs = nowMs + 600;
      lines.push(`${stamp(exitMs)} autossh[7]: ssh exited with error status 255; restarting ssh`);
      if (n === 20) lines.push(`${stamp(exitMs)} autossh[7]: max start count reached; exiting`);
      tries++;
      const t = tries - 5;
      const graceS = t > 0 ? Math.min(Math.trunc(6 * t * (t / 3)), 600) : 0;
      nowMs = exitMs + graceS * 1000 + 70;
    }
    const timeline = parseTimeline(logToTimeline(lines.join('\n'), { name: 'backoff' }).timeline, 'backoff');
    const [result] = replayAll(timeline, [], []);
    expect(result!.summary.sshStarts).toBe(20);
    expect(result!.summary.exitCode).toBe(0);
    expect(result!.logCheck).toMatchObject({ logged: 41, reproduced: 41, divergence: null });
  });
});
