// The pure parts of `autossh-lab chaos`: schedule files, per-fault measurements, the HTML report,
// the supervisors named on its command line.
import { describe, expect, it } from 'vitest';
import { parseSchedule, loadSchedule } from '../../lab/chaos/schedule/parse.js';
import { builtinScheduleNames } from '../../lab/chaos/schedule/builtin.js';
import { expandSchedule } from '../../lab/chaos/schedule/types.js';
import { measureFaults, medianAndWorst } from '../../lab/chaos/measure.js';
import { chaosReportHtml } from '../../lab/chaos/report.js';
import type { ChaosResult } from '../../lab/chaos/result.js';
import type { CanaryRecord } from '../../lab/chaos/canary.js';
import { supervisorSpecs } from '../../lab/cli/commands/chaos.js';

describe('schedule files', () => {
  it('reads times with units, defaults, and repeats', () => {
    const s = parseSchedule({
      steps: [{ type: 'timeout', at: '1.5s', duration: 4000, attributes: { timeout: 0 }, repeat: 2, every: '10s', name: 'bh' }],
    });
    expect(s.steps[0]).toMatchObject({ atMs: 1500, durationMs: 4000, stream: 'both', toxicity: 1, repeat: 2, everyMs: 10_000 });
    expect(expandSchedule(s).map((f) => [f.label, f.plannedStartMs, f.plannedEndMs])).toEqual([
      ['bh#1', 1500, 5500],
      ['bh#2', 11_500, 15_500],
    ]);
  });

  it.each([
    [{ steps: [{ type: 'explode', duration: '1s' }] }, /step 1: unknown type "explode"; expected one of .*timeout/],
    [{ steps: [{ type: 'timeout', duration: '1s', atMs: 5 }] }, /step 1: unknown field "atMs"/],
    [{ steps: [{ type: 'timeout' }] }, /step 1: "duration" is required/],
    [{ steps: [{ type: 'latency', duration: 'soon' }] }, /step 1: "duration": expected milliseconds or a time like/],
    [{ steps: [{ type: 'latency', duration: '1s', stream: 'sideways' }] }, /"stream" must be one of/],
    [{ steps: [{ type: 'latency', duration: '2s', repeat: 3, every: '1s' }] }, /"every" \(1000 ms\) must be longer than "duration"/],
    [{ steps: [] }, /"steps" must be a non-empty array/],
  ])('rejects %j with a message naming the step and field', (doc, message) => {
    expect(() => parseSchedule(doc)).toThrow(message);
  });

  it('has every built-in the docs promise, and names them when the schedule is unknown', () => {
    expect(builtinScheduleNames()).toEqual(
      expect.arrayContaining([
        'blackhole', 'reset', 'flap', 'latency-spike', 'bandwidth-starve', 'slow-close', 'server-restart', 'proxy-down',
        'blackhole-pause', 'flap-pause', 'stuck-handshake', 'stale-listener', 'link-flap',
      ]),
    );
    for (const name of builtinScheduleNames()) expect(loadSchedule(name).steps.length).toBeGreaterThan(0);
    expect(() => loadSchedule('no-such-schedule')).toThrow(/built-in schedules: blackhole, reset, flap/);
  });
});

const canary = (seq: number, sentMs: number, rttMs: number | null): CanaryRecord => ({
  seq,
  sentMs,
  answeredMs: rttMs === null ? null : sentMs + rttMs,
  outcome: rttMs === null ? 'broken' : 'answered',
});

describe('measurements', () => {
  // One ssh until 2.5 s into a fault at 1-6 s, the next from 6.2 s; canaries every 100 ms, lost in 1-6.4 s.
  const canaries = Array.from({ length: 90 }, (_, i) => canary(i, i * 100, i * 100 >= 1000 && i * 100 < 6400 ? null : 2));
  const lives = [
    { pid: 10, startMs: 0, endMs: 3500 },
    { pid: 11, startMs: 6200, endMs: null },
  ];

  it('detect = fault start to the end of the ssh that ran then; recover = fault end to the first answer sent after it', () => {
    const [m] = measureFaults([{ label: 'f', startMs: 1000, endMs: 6000 }], lives, canaries, 9000);
    expect(m).toEqual({
      fault: 'f', detectMs: 2500, recoverMs: 402, canariesLost: 54, sshStarts: 1, maxRttMs: null,
      // Nothing was logged or printed: the end is measured, its cause unknown.
      attribution: expect.objectContaining({ endedBy: 'unknown' }),
    });
  });

  it('null when it never happened; log lines count ssh starts too fast for /proc', () => {
    const log = [
      { ms: 1200, text: 'x: starting ssh (count 2)' },
      { ms: 1250, text: 'x: starting ssh (count 3)' },
      { ms: 1250, text: 'x: ssh child pid is 3' },
    ];
    const [m] = measureFaults([{ label: 'f', startMs: 1000, endMs: 6000 }], [{ pid: 1, startMs: 0, endMs: null }], canaries.slice(0, 60), 6300, log);
    expect(m!.detectMs).toBeNull();
    expect(m!.recoverMs).toBeNull();
    expect(m!.sshStarts).toBe(2);
  });

  it('median and worst skip nulls and count them', () => {
    expect(medianAndWorst([3, null, 1, 2])).toEqual({ median: 2, worst: 3, missing: 1 });
    expect(medianAndWorst([null])).toEqual({ median: null, worst: null, missing: 1 });
  });
});

describe('HTML report', () => {
  it('is one self-contained page with an SVG timeline per supervisor and its data points', () => {
    const canaries = [canary(1, 100, 3), canary(2, 200, null), canary(3, 300, 1500)];
    const sup = (label: string): ChaosResult['supervisors'][number] => ({
      label,
      argv: ['autossh', '-M', '0', 'root@127.0.0.1'],
      env: {},
      forwardPort: 1,
      forward: { kind: 'local', listenPort: 1, farEnd: '127.0.0.1:3' },
      connectTo: '127.0.0.1:4',
      proxy: 'p',
      measurements: [{
        fault: 'blackhole', detectMs: 2000, recoverMs: null, canariesLost: 1, sshStarts: 1, maxRttMs: 1500,
        attribution: { endedBy: 'serverAlive', endedByRule: null, evidence: 'Timeout, server 127.0.0.1 <not> responding.', laterEnds: { supervisorRule: 2 }, rules: { connectTimeExceeded: 2 } },
      }],
      sshLives: [{ pid: 42, startMs: 50, endMs: 250 }],
      canaries,
      log: [],
      stderr: [],
      exited: null,
    });
    const result: ChaosResult = {
      schedule: { name: 'blackhole', description: 'd <b>' },
      startedAt: '2024-01-01T00:00:00Z',
      world: 'toxiproxy',
      toxiproxy: { url: 'http://127.0.0.1:1', embedded: true },
      netns: null,
      sshd: { host: '127.0.0.1', port: 2, own: true },
      forward: 'local',
      scheduleEnv: { AUTOSSH_CONNECTTIME: '10' },
      scheduleStartMs: 80,
      observedEndMs: 400,
      runEndMs: 400,
      faults: [{ index: 1, label: 'blackhole', type: 'timeout', stream: 'both', toxicity: 1, attributes: {}, endCloses: true, plannedStartMs: 100, plannedEndMs: 200, startMs: 100, endMs: 200 }],
      supervisors: [sup('autossh-ts'), sup('autossh 1.4g')],
    };
    const html = chaosReportHtml(result);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/class="fault"/g)).toHaveLength(2);
    expect(html.match(/class="ssh" data-pid="42"/g)).toHaveLength(2);
    expect(html.match(/class="canary answered"/g)).toHaveLength(4);
    expect(html.match(/class="canary lost"/g)).toHaveLength(2);
    expect(html).toContain('not recovered');
    expect(html).toContain('d &#60;b&#62;');
    const data = JSON.parse(/<script type="application\/json" id="chaos-data">(.*)<\/script>/s.exec(html)![1]!);
    expect(data.supervisors[1].measurements[0].detectMs).toBe(2000);
    // Who ended ssh: in the table (with its evidence as the cell's title), and the schedule's settings.
    expect(html.match(/<td class="ended-by" title="Timeout, server 127\.0\.0\.1 &#60;not&#62; responding\.">serverAlive<\/td>/g)).toHaveLength(2);
    expect(html.match(/<td class="then">supervisorRule 2 \[connectTimeExceeded 2\]<\/td>/g)).toHaveLength(2);
    expect(html).toContain('<code>AUTOSSH_CONNECTTIME=10</code>');
  });
});

describe('supervisors on the command line', () => {
  it('splits --compare as a shell would, so a quoted path with a space stays one word; repeats get primed labels', () => {
    const compare = 'node "/path with space/x.js"';
    const [underTest, compared, again] = supervisorSpecs({ compare: [compare, compare] });
    expect(underTest!.label).toBe('autossh-ts');
    expect(compared).toEqual({ label: compare, cmd: ['node', '/path with space/x.js'] });
    expect(again).toEqual({ label: `${compare}'`, cmd: ['node', '/path with space/x.js'] });
  });

  it('refuses an empty command, naming the option', () => {
    expect(() => supervisorSpecs({ supervisor: '  ', compare: [] })).toThrow('--supervisor: empty command');
  });
});
