// A replay's work is bounded: estimated before it runs (a 400-day refusal with AUTOSSH_POLL=1
// grew to 3.9 GB in 8 minutes), refused with the figure when past the bound, said first when
// large, held to the bound while it runs whatever the estimate said, and stopped by SIGINT
// between slices with nothing left behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTimeline } from '../../sim/timeline/load.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { replay, replaySteps, ReplayTooLargeError } from '../../sim/replay/run-replay.js';
import { planReplay, runPlan } from '../../sim/replay/replay-timeline.js';
import { estimateSshStarts } from '../../sim/replay/work-estimate.js';
import { replayJson } from '../../sim/replay/format.js';

function drain<R>(steps: Generator<unknown, R, void>): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

const lab = (...args: string[]) => spawnSync(process.execPath, ['dist/lab/cli/lab.js', ...args], { encoding: 'utf8', timeout: 10_000 });

function timelineFile(json: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'work-bound-'));
  const file = join(dir, 'long.json');
  writeFileSync(file, JSON.stringify(json));
  return { dir, file };
}

/** every connection reset, then refused, from the first minute on: ssh fails at once, autossh waits POLL */
const refusal = (duration: string, poll: string) => ({
  config: { args: ['-M', '0', 'host'], env: { AUTOSSH_POLL: poll, AUTOSSH_GATETIME: '0' } },
  duration,
  facts: [{ at: '1m', kind: 'outage', mode: 'reset', for: duration }],
});

describe('before a replay runs', () => {
  it('a 400-day refusal at AUTOSSH_POLL=1 is refused at once with its figure, nothing written', () => {
    const { dir, file } = timelineFile(refusal('400d', '1'));
    const started = performance.now();
    const run = lab('replay', file, '--json', join(dir, 'out.json'), '--report', join(dir, 'out.html'));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(run.stderr).toMatch(/^autossh-lab: long: about 33,\d{3},\d{3} ssh starts to simulate \(~43,\d{3} MB held until the outputs are written; most in timeline: 399d23h59m of disruption at AUTOSSH_POLL=1\); at most 1,000,000 in one replay command: shorten the timeline/);
    expect(run.status).toBe(2);
    expect(readdirSync(dir)).toEqual(['long.json']);
  });

  it('the estimate follows the replay, kind of fault by kind of fault', () => {
    const cases = [
      refusal('20m', '1'),
      { config: { args: ['-M', '0', '-o', 'ServerAliveInterval=15', 'host'], env: { AUTOSSH_POLL: '60', AUTOSSH_GATETIME: '0' } }, duration: '2h', facts: [{ at: '1m', kind: 'outage', mode: 'blackhole', for: '1h' }] },
      { config: { args: ['-M', '20000', 'host'], env: { AUTOSSH_POLL: '60' } }, duration: '2h', facts: [{ at: '1m', kind: 'outage', mode: 'blackhole', for: '1h' }] },
      { config: { args: ['-M', '0', 'host'], env: { AUTOSSH_POLL: '5', AUTOSSH_GATETIME: '0' } }, duration: '2h', facts: [{ at: '1m', kind: 'outage', mode: 'link', for: '1h' }, { at: '30m', kind: 'sshCrash' }] },
      { config: { args: ['-M', '0', 'host'], env: { AUTOSSH_POLL: '10' } }, duration: '2h', facts: [{ at: '1m', kind: 'authFailure', for: '1h' }, { at: '10m', kind: 'serverRestart', for: '1s' }] },
    ];
    for (const json of cases) {
      const timeline = parseTimeline(json, 't.json');
      const estimated = estimateSshStarts(timeline, timeline.config).sshStarts;
      const actual = replay(timeline, timeline.config).summary.sshStarts;
      expect(estimated / actual, `${JSON.stringify(json.facts)}: estimated ${estimated}, ran ${actual}`).toBeGreaterThan(0.5);
      expect(estimated / actual, `${JSON.stringify(json.facts)}: estimated ${estimated}, ran ${actual}`).toBeLessThan(2);
    }
    const wifi = loadTimeline('test/fixtures/timelines/wifi-evening.json');
    expect(estimateSshStarts(wifi, wifi.config).sshStarts).toBeLessThan(100);
  });

  it('the bound holds for all the configurations of one command together', () => {
    const timeline = parseTimeline(refusal('1h', '1'), 't.json');
    expect(() => planReplay(timeline, [], [], { maxSshStarts: 1000 })).toThrow(/about 3,4\d\d ssh starts .*; at most 1,000 in one replay command/);
    expect(() => planReplay(timeline, [], ['AUTOSSH_POLL=2', 'AUTOSSH_POLL=3'], { maxSshStarts: 5000 })).toThrow(/most in timeline: 59m of disruption at AUTOSSH_POLL=1/);
    expect(planReplay(timeline, [], ['AUTOSSH_POLL=600'], { maxSshStarts: 5000 }).warning).toBeNull();
  });
});

describe('while a replay runs', () => {
  it('stops past its bound on ssh starts, whatever the estimate said, naming where it got to', () => {
    const timeline = parseTimeline(refusal('1h', '1'), 't.json');
    expect(() => replay(timeline, timeline.config, { maxSshStarts: 500 })).toThrow(ReplayTooLargeError);
    expect(() => replay(timeline, timeline.config, { maxSshStarts: 500 }))
      .toThrow(/^timeline: ssh started more than 500 times by \+00:\d\d:\d\d\.\d{3} of the timeline's 1h, the most one replay holds/);
    // the budget is shared: the second configuration gets what the first left (a plan let through, then held tighter)
    const plan = planReplay(timeline, [], ['AUTOSSH_POLL=1'], { maxSshStarts: 7000 });
    plan.options.maxSshStarts = 5000;
    expect(() => drain(runPlan(plan))).toThrow(/^AUTOSSH_POLL=1: ssh started more than 1,5\d\d times/);
  });

  it('in slices: the same result as in one go', () => {
    const timeline = parseTimeline(refusal('40m', '1'), 't.json');
    const steps = replaySteps(timeline, timeline.config);
    let slices = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) slices++;
    expect(slices).toBeGreaterThan(1);
    expect(replayJson(timeline, [step.value])).toBe(replayJson(timeline, [replay(timeline, timeline.config)]));
  });

  it('SIGINT stops it between slices: exit 130, said, no output file or temp file left', async () => {
    // two days of refusal at POLL=1: ~166,000 ssh starts, a minute or two; past 100,000, the estimate is said first
    const { dir, file } = timelineFile(refusal('2d', '1'));
    const child = spawn(process.execPath, ['dist/lab/cli/lab.js', 'replay', file, '--quiet', '--json', join(dir, 'out.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    // the estimate is said before the run starts: interrupt once it is
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no estimate on stderr: ${stderr}`)), 8_000);
      child.stderr.on('data', () => {
        if (stderr.includes('ssh starts to simulate')) {
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    expect(stderr).toMatch(/^autossh-lab replay: about 16\d,\d{3} ssh starts to simulate/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    child.kill('SIGINT');
    // bounded: a run that does not stop is killed, and the test fails on its status
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearTimeout(killer);
    // a slice is about a millisecond of work; the whole run is a minute or more
    expect(performance.now() - started).toBeLessThan(5_000);
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stderr).toContain('autossh-lab replay: interrupted; no output file was left behind\n');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['long.json']);
  });
});
