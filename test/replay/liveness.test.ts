// autossh-ts's liveness rules (D9-D12), each replayed on one timeline with and without its
// setting: the simulated OpenSSH world shows what the rule changes, in exact figures. Without
// the setting the run is 1.4g's; the figures are worked out in each test's comments.
import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/driver/supervisor.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { jitterMs } from '../../src/machine/decisions/jitter.js';
import type { WorldEvent } from '../../src/machine/events.js';
import { OpensshWorld } from '../../sim/openssh/openssh-world.js';
import { formatTrace } from '../../sim/replay/format.js';
import { replay, type ReplayResult } from '../../sim/replay/run-replay.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { DEFAULT_WORLD, type Timeline } from '../../sim/timeline/types.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const SERVER_ALIVE = ['-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3'];
/** a -L forward: ssh listening on it shows its session is up (D9's evidence) */
const DB_FORWARD = ['-L', '5432:db.internal:5432'];

function timeline(args: string[], facts: unknown[], duration: string): Timeline {
  return parseTimeline({ config: { args }, duration, facts }, 'liveness.json');
}

function run(t: Timeline, env: Record<string, string> = {}): ReplayResult {
  return replay(t, { name: JSON.stringify(env), args: t.config.args, env });
}

/** The replay's world and machine, with every event the world tells the supervisor recorded. */
function runTelling(args: string[], facts: unknown[], untilMs: number, env: Record<string, string>) {
  const parsed = parseCommandLine(args, env);
  if (parsed.kind !== 'run') throw new Error('bad config');
  const clock = new VirtualClock(0);
  const supervisor = new Supervisor(parsed.config);
  const told: Array<{ atMs: number; event: WorldEvent }> = [];
  const world = new OpensshWorld(clock, parsed.config, DEFAULT_WORLD, (event) => {
    told.push({ atMs: clock.now(), event });
    supervisor.tell(event);
  });
  for (const fact of timeline(args, facts, '1h').facts) {
    clock.at(fact.atMs, () => world.begin(fact));
    if ('forMs' in fact) clock.at(fact.atMs + fact.forMs, () => world.end(fact));
  }
  clock.at(0, () => supervisor.start(world));
  clock.runUntil(untilMs, 1_000_000);
  return { told, world };
}

const decisionsOf = (r: ReplayResult, rule: string) => r.decisions.filter((d) => d.rule === rule).map((d) => d.atMs);
const sshEnds = (r: ReplayResult) => r.sshRuns.map((s) => [s.n, s.endMs, s.end]);
/** each disruption's recovery: from its end to a working tunnel (null: never) */
const recoveries = (r: ReplayResult) => r.summary.recoveries.map((x) => x.recoverMs);

describe('D9 AUTOSSH_CONNECTTIME: an ssh that never establishes its session is restarted', () => {
  // The path forgets its flows at +10m for 10 min (a NAT failing over): ssh #1's connection is
  // dead for good; ServerAlive ends it at +10m45s. ssh #2 connects (TCP) into the unsettled path
  // and its key exchange stalls for good: nothing in ssh ends a stalled exchange but TCP.
  const t = timeline(['-M', '0', '-N', ...SERVER_ALIVE, ...DB_FORWARD, 'tunnel@bastion'],
    [{ at: '+10m', kind: 'outage', mode: 'stale-flows', for: '10m' }], '40m');

  it('without it (1.4g), the stalled ssh waits for TCP: 924.6 s, and the tunnel is back 6m10.48s after the fault', () => {
    const r = run(t);
    // ssh #2 starts at 645 s, stalls at 645.44 s, and TCP gives up 924.6 s later
    expect(sshEnds(r)).toEqual([
      [1, 645_000, 'exit 255'],
      [2, 645_440 + 924_600, 'exit 255'],
      [3, null, null],
    ]);
    expect(r.trace.find((e) => e.atMs === 1_570_040 && e.kind === 'ssh')?.detail).toBe('ssh #2 ended: exit 255 (Connection timed out during banner exchange)');
    expect(decisionsOf(r, 'connectTimeExceeded')).toEqual([]);
    // ssh #3 starts at 1570.04 s and is up 0.44 s later; the fault ended at 1200 s
    expect(recoveries(r)).toEqual([370_480]);
    expect(r.summary).toMatchObject({ sshStarts: 3, downtimeMs: 440 + 970_480 });
  });

  it('with AUTOSSH_CONNECTTIME=60, each stalled ssh is restarted 60 s after its start; back 45.44 s after the fault', () => {
    const r = run(t, { AUTOSSH_CONNECTTIME: '60' });
    // ssh #2 at 645 s, then one every 60 s; the one started at 1185 s is still in the fault,
    // the one at 1245 s connects
    const restarts = Array.from({ length: 10 }, (_, i) => 705_000 + i * 60_000);
    expect(decisionsOf(r, 'connectTimeExceeded')).toEqual(restarts);
    expect(r.sshRuns.at(-1)).toMatchObject({ n: 12, startMs: 1_245_000, upMs: 1_245_440, endMs: null });
    expect(recoveries(r)).toEqual([45_440]);
    expect(r.summary).toMatchObject({ sshStarts: 12, downtimeMs: 440 + 645_440 });
    // the trace says why ssh was restarted
    expect(formatTrace(t, r)).toContain(
      '1970-01-01T00:11:45.000Z +00:11:45.000  decision  connectTimeExceeded: no sign of an established session within AUTOSSH_CONNECTTIME=60 s: restart ssh (D9)\n'
      + '1970-01-01T00:11:45.000Z +00:11:45.000  ssh       ssh #2 ended: exit 255 (autossh sent SIGTERM)\n',
    );
  });

  it('catches a handshake stalled by a blackhole (AUTOSSH_LIVENESS=1: 60 s), where 1.4g waits 924.6 s', () => {
    // the blackhole starts 200 ms into ssh #1's handshake (40..440 ms) and lasts 30 min
    const stalled = timeline(['-M', '0', '-N', ...DB_FORWARD, 'tunnel@bastion'], [{ at: '+200ms', kind: 'outage', for: '30m' }], '40m');
    const plain = run(stalled);
    expect(sshEnds(plain)[0]).toEqual([1, 440 + 924_600, 'exit 255']);
    // then SYNs into the blackhole, 127 s a try; the try started at 1687.04 s connects at 1814.04 s
    expect(recoveries(plain)).toEqual([14_280]);
    const live = run(stalled, { AUTOSSH_LIVENESS: '1' });
    expect(decisionsOf(live, 'connectTimeExceeded').slice(0, 3)).toEqual([60_000, 120_000, 180_000]);
    expect(sshEnds(live)[0]).toEqual([1, 60_000, 'exit 255']);
    // ssh #31 starts at 1800 s, its SYN at 1801 s is answered: up at 1801.44 s
    expect(recoveries(live)).toEqual([1240]);
    expect(live.summary.sshStarts).toBe(31);
  });

  it('needs evidence: without a -L/-D forward, a monitor or LogLevel=VERBOSE the rule stays off', () => {
    const noEvidence = timeline(['-M', '0', '-N', '-R', '2222:localhost:22', 'tunnel@relay'], [{ at: '+200ms', kind: 'outage', for: '30m' }], '40m');
    const r = run(noEvidence, { AUTOSSH_CONNECTTIME: '60' });
    expect(decisionsOf(r, 'connectTimeExceeded')).toEqual([]);
    expect(sshEnds(r)[0]).toEqual([1, 440 + 924_600, 'exit 255']);
    const verbose = run(timeline(['-M', '0', '-N', '-o', 'LogLevel=VERBOSE', '-R', '2222:localhost:22', 'tunnel@relay'],
      [{ at: '+200ms', kind: 'outage', for: '30m' }], '40m'), { AUTOSSH_CONNECTTIME: '60' });
    expect(decisionsOf(verbose, 'connectTimeExceeded')[0]).toBe(60_000);
  });
});

describe('D10 AUTOSSH_FORWARDCHECK: a refused remote forward is retried on a short schedule', () => {
  // A 1 min blackhole at +10m drops the session (ServerAlive: +10m45s); the server keeps the old
  // session, and its -R port, for 15 min. Every new ssh until +25m is refused the forward.
  const facts = [{ at: '+10m', kind: 'outage', for: '1m' }, { at: '+10m', kind: 'remotePortBound', for: '15m' }];
  const eoff = timeline(['-M', '0', '-N', ...SERVER_ALIVE, '-o', 'ExitOnForwardFailure=yes', '-R', '2222:localhost:22', 'tunnel@relay'], facts, '30m');

  it('ExitOnForwardFailure, without it (1.4g): each refusal is a fast failure, the waits grow; back 2m58.48s after the port is free', () => {
    const r = run(eoff);
    expect(decisionsOf(r, 'remoteForwardFailed')).toEqual([]);
    const grace = r.decisions.filter((d) => d.rule === 'graceTime').map((d) => Number(/wait (\d+) s/.exec(d.detail)![1]));
    expect(grace).toEqual([2, 8, 18, 32, 50, 72, 98, 128, 162, 200, 241]);
    expect(r.trace.filter((e) => e.kind === 'ssh' && e.detail.includes('Error: remote port forwarding failed for listen port 2222'))).toHaveLength(16);
    expect(recoveries(r)[1]).toBe(178_480);
    expect(r.summary.sshStarts).toBe(18);
  });

  it('ExitOnForwardFailure, with it: 2, 4, 8, then every 10 s; back 0.52 s after the port is free', () => {
    const r = run(eoff, { AUTOSSH_FORWARDCHECK: '1' });
    // ssh #2 connects at 660.44 s (the SYN retry after the blackhole) and is refused
    const failures = decisionsOf(r, 'remoteForwardFailed');
    expect(failures[0]).toBe(660_440);
    const gaps = failures.slice(1).map((at, i) => at - failures[i]!);
    // each wait plus the next ssh's 440 ms to the refusal
    expect(gaps.slice(0, 6)).toEqual([2440, 4440, 8440, 10_440, 10_440, 10_440]);
    expect(r.decisions.filter((d) => d.rule === 'forwardRetry').slice(0, 5).map((d) => d.detail.match(/retry in (\d+) s/)![1]))
      .toEqual(['2', '4', '8', '10', '10']);
    // the refusal is told before ssh's exit: a stop for a restart, not a status to judge
    expect(decisionsOf(r, 'status255')).toEqual([645_000]);
    expect(recoveries(r)[1]).toBe(520);
    expect(r.summary.sshStarts).toBe(84);
  });

  it('no ExitOnForwardFailure: 1.4g keeps an ssh without its forward for good; with the check, back 0.52 s after', () => {
    const plain = timeline(['-M', '0', '-N', ...SERVER_ALIVE, '-R', '2222:localhost:22', 'tunnel@relay'], facts, '30m');
    const r = run(plain);
    expect(recoveries(r)[1]).toBeNull();
    expect(r.summary).toMatchObject({ sshStarts: 2, downtimeMs: 440 + 1_200_000 });
    const checked = run(plain, { AUTOSSH_FORWARDCHECK: '1' });
    expect(checked.sshRuns[1]).toMatchObject({ n: 2, upMs: 660_440, endMs: 660_440, end: 'exit 255' });
    expect(recoveries(checked)[1]).toBe(520);
  });

  it('tells every -R port ssh warns about (the monitor\'s first), and only the first with ExitOnForwardFailure', () => {
    const warned = (extra: string[]) => {
      const { told } = runTelling(['-M', '20000', '-N', ...SERVER_ALIVE, ...extra, '-R', '2222:localhost:22', 'tunnel@relay'], facts, 12 * 60_000, { AUTOSSH_FORWARDCHECK: '1' });
      const failures = told.filter((e) => e.event.type === 'REMOTE_FORWARD_FAILED');
      return failures.filter((e) => e.atMs === failures[0]?.atMs).map((e) => [e.atMs, e.event]);
    };
    // the test at 600 s fails at 615 s; ssh #2's SYN at +63 s is answered, its session is up at
    // 678.44 s and refused both forwards. The machine stops it at the first line; the second comes
    // while it stops.
    expect(warned([])).toEqual([
      [678_440, { type: 'REMOTE_FORWARD_FAILED', n: 2, port: 20000 }],
      [678_440, { type: 'REMOTE_FORWARD_FAILED', n: 2, port: 2222 }],
    ]);
    expect(warned(['-o', 'ExitOnForwardFailure=yes'])).toEqual([[678_440, { type: 'REMOTE_FORWARD_FAILED', n: 2, port: 20000 }]]);
  });
});

describe('D11 AUTOSSH_NETWATCH: the link coming back ends the backoff wait', () => {
  // The client's link is down from +10m for 20 min. ssh #1 hears silence (ServerAlive: +10m45s);
  // every new ssh fails at once, "Network is unreachable", and 1.4g's waits grow.
  const t = timeline(['-M', '0', '-N', ...SERVER_ALIVE, ...DB_FORWARD, 'tunnel@relay'], [{ at: '+10m', kind: 'outage', mode: 'link', for: '20m' }], '1h');

  it('without it (1.4g): the wait of 288 s begun at 27m36s runs out; back 2m24.44s after the link', () => {
    const r = run(t);
    expect(r.decisions.filter((d) => d.rule === 'graceTime').at(-1)).toMatchObject({ atMs: 1_656_000, detail: expect.stringContaining('wait 288 s') });
    expect(decisionsOf(r, 'networkChanged')).toEqual([]);
    expect(r.sshRuns.at(-1)).toMatchObject({ n: 19, startMs: 1_944_000, upMs: 1_944_440 });
    expect(recoveries(r)).toEqual([144_440]);
  });

  it('with it: ssh starts when the link is up; back 0.44 s after', () => {
    const r = run(t, { AUTOSSH_NETWATCH: '1' });
    expect(r.decisions.filter((d) => d.rule === 'networkChanged')).toEqual([
      { atMs: 1_800_000, rule: 'networkChanged', detail: 'link up: the backoff wait ends (D11)' },
    ]);
    expect(r.sshRuns.at(-1)).toMatchObject({ n: 19, startMs: 1_800_000, upMs: 1_800_440 });
    expect(recoveries(r)).toEqual([440]);
  });

  it('with AUTOSSH_JITTER too: ssh starts after its jitter only', () => {
    const r = run(t, { AUTOSSH_NETWATCH: '1', AUTOSSH_JITTER: '30' });
    const last = r.sshRuns.at(-1)!;
    // the replay's supervisor has jitter seed 0
    expect(last.startMs).toBe(1_800_000 + jitterMs(0, last.n, 30));
    expect(last.startMs - 1_800_000).toBe(20_627);
    expect(recoveries(r)).toEqual([20_627 + 440]);
  });

  it('the world tells the link coming back only to a supervisor waiting out a backoff with NETWATCH on', () => {
    const changes = (env: Record<string, string>, facts: unknown[]) =>
      runTelling(t.config.args, facts, 3_600_000, env).told.filter((e) => e.event.type === 'NETWORK_CHANGED').map((e) => e.atMs);
    const link = [{ at: '+10m', kind: 'outage', mode: 'link', for: '20m' }];
    expect(changes({ AUTOSSH_NETWATCH: '1' }, link)).toEqual([1_800_000]);
    expect(changes({}, link)).toEqual([]);
    // a 30 s drop: ssh #1 survives it (ServerAlive gives up only after 45 s), nobody waits
    const short = [{ at: '+10m', kind: 'outage', mode: 'link', for: '30s' }];
    expect(changes({ AUTOSSH_NETWATCH: '1' }, short)).toEqual([]);
    const r = run(timeline(t.config.args, short, '20m'), { AUTOSSH_NETWATCH: '1' });
    expect(r.summary.sshStarts).toBe(1);
    expect(r.decisions).toEqual([]);
  });
});

describe('D12 AUTOSSH_JITTER: each restart waits its jitter more', () => {
  const t = timeline(['-M', '0', '-N', 'tunnel@relay'], [{ at: '+10m', kind: 'sshCrash', signal: 'SIGSEGV' }], '20m');

  it('without it, ssh is restarted at once; with JITTER=30, after the draw for (seed 0, start 2)', () => {
    expect(run(t).sshRuns[1]!.startMs).toBe(600_000);
    const r = run(t, { AUTOSSH_JITTER: '30' });
    expect(r.sshRuns[1]!.startMs).toBe(600_000 + jitterMs(0, 2, 30));
    expect(jitterMs(0, 2, 30)).toBe(21_461);
    expect(r.decisions.map((d) => d.rule)).toEqual(['killedBySignal', 'jitter']);
  });
});
