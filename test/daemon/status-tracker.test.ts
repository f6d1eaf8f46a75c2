// A tunnel's report, built by its tracker from a real Supervisor's effects and its host's ssh
// ends, over a simulated world on a virtual clock: hand-driven for exact scenarios, seeded random
// worlds for everything at once. "Up" and the phase always come from tunnelStateOf.
import { describe, expect, it } from 'vitest';
import { tunnelStateOf } from '../../src/driver/tunnel-state.js';
import { MAX_DISTINCT_RULES, OTHER_RULE } from '../../src/daemon/tunnel-tracker.js';
import type { Effect } from '../../src/machine/effects.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { HARSH_WORLD, configOf, handTunnel, isoAt, randomTunnel } from '../support/tracked-tunnel.js';

const MAX_CALLBACKS = 100_000;

describe('a tunnel tracker over a hand-driven world', () => {
  it('reports a running ssh as up, then its end by status 255, the rule, and the new ssh', () => {
    const clock = new VirtualClock();
    const t = handTunnel('db', configOf(['-M', '0', 'host'], { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '60' }), clock);
    clock.runUntil(0, MAX_CALLBACKS);
    expect(t.tracker.report()).toEqual({
      name: 'db', phase: 'up', up: true, sshPid: 4001, starts: 1, lastExit: null,
      lastRule: null, lastDecision: null, since: isoAt(0), backoffSeconds: null,
      restartPolicy: 'no', runs: 1, lastRunEnd: null, restartSeconds: null,
    });

    clock.runUntil(30_000, MAX_CALLBACKS);
    t.host.endSsh({ code: 255 });
    clock.runUntil(30_000, MAX_CALLBACKS);
    const report = t.tracker.report();
    expect(report).toMatchObject({ phase: 'up', up: true, sshPid: 4002, starts: 2, lastRule: 'status255', since: isoAt(30_000) });
    expect(report.lastExit).toEqual({ code: 255, signal: null, reason: 'status_255', at: isoAt(30_000) });
    expect(report.lastDecision).toBe('ssh exited with error status 255; restarting ssh');
    expect(t.tracker.counts()).toEqual({ starts: 2, exits: { status_255: 1 }, decisions: { status255: 1 }, restarts: {} });
  });

  it('counts down the backoff wait from the snapshot and the clock, and leaves it when the wait ends', () => {
    const clock = new VirtualClock();
    // POLL=600: starts less than 60 s apart are fast tries; the sixth waits 2 s (1.4g's grace time)
    const t = handTunnel('web', configOf(['-M', '0', 'host'], { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '600' }), clock);
    clock.runUntil(0, MAX_CALLBACKS);
    for (let i = 0; i < 6; i++) {
      clock.runUntil(clock.now() + 1_000, MAX_CALLBACKS);
      t.host.endSsh({ code: 1 });
      clock.runUntil(clock.now(), MAX_CALLBACKS);
    }
    const waitingSince = clock.now();
    const state = tunnelStateOf(t.supervisor.machineSnapshot());
    expect(state.phase).toBe('backingOff');
    expect(t.tracker.report()).toMatchObject({
      phase: 'backingOff', up: false, sshPid: null, starts: 6, lastRule: 'graceTime', since: isoAt(waitingSince),
      backoffSeconds: (state.backoffDueMs! - waitingSince) / 1000,
    });
    expect(t.tracker.report().backoffSeconds).toBe(2);
    expect(t.tracker.report().lastExit).toMatchObject({ code: 1, reason: 'status_1' });

    clock.runUntil(waitingSince + 500, MAX_CALLBACKS);
    expect(t.tracker.report().backoffSeconds).toBe(1.5);
    clock.runUntil(waitingSince + 2_000, MAX_CALLBACKS);
    expect(t.tracker.report()).toMatchObject({ phase: 'up', up: true, starts: 7, backoffSeconds: null, since: isoAt(waitingSince + 2_000) });
  });

  it('calls an ssh it stopped after a failed connection test "stopped", whatever its status', () => {
    const clock = new VirtualClock();
    const t = handTunnel('mon', configOf(['-M', '20000', 'host'], { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '30' }), clock);
    clock.runUntil(30_000, MAX_CALLBACKS);
    // a test is a moment of an up tunnel: since still counts from the start of its ssh
    expect(t.tracker.report()).toMatchObject({ phase: 'testing', up: true, since: isoAt(0) });
    t.host.answerProbe(true);
    clock.runUntil(60_000, MAX_CALLBACKS);
    expect(t.tracker.report()).toMatchObject({ phase: 'testing', up: true, since: isoAt(0) });
    t.host.onSigterm = null; // it ignores SIGTERM: we see the stopping phase
    t.host.answerProbe(false);
    clock.runUntil(61_000, MAX_CALLBACKS);
    expect(t.tracker.report()).toMatchObject({ phase: 'stopping', up: false, sshPid: 4001, lastRule: 'connectionTestFailed', since: isoAt(60_000) });
    t.host.endSsh({ code: 255 });
    clock.runUntil(61_000, MAX_CALLBACKS);
    expect(t.tracker.report()).toMatchObject({
      phase: 'up', starts: 2, lastExit: { code: 255, signal: null, reason: 'stopped', at: isoAt(61_000) }, lastRule: 'connectionTestFailed',
    });
    // the next ssh's own end is its own: not "stopped"
    t.host.endSsh({ signal: 'SIGSEGV' });
    clock.runUntil(62_000, MAX_CALLBACKS);
    expect(t.tracker.report().lastExit).toEqual({ code: null, signal: 'SIGSEGV', reason: 'signal', at: isoAt(61_000) });
    expect(t.tracker.counts().exits).toEqual({ stopped: 1, signal: 1 });
  });

  it('is connecting, not up, until the session shows it is established (D9)', () => {
    const clock = new VirtualClock();
    const config = configOf(['-M', '0', '-L', '127.0.0.1:15432:db:5432', 'host'], { AUTOSSH_GATETIME: '0', AUTOSSH_CONNECTTIME: '20' });
    const t = handTunnel('d9', config, clock);
    clock.runUntil(1_000, MAX_CALLBACKS);
    expect(t.tracker.report()).toMatchObject({ phase: 'connecting', up: false, sshPid: 4001, since: isoAt(0) });
    t.host.establish();
    clock.runUntil(2_000, MAX_CALLBACKS);
    expect(t.tracker.report()).toMatchObject({ phase: 'up', up: true, since: isoAt(1_000) });
  });

  it('reports a start that failed and the tunnel that gave up (D7)', () => {
    const clock = new VirtualClock();
    const t = handTunnel('nossh', configOf(['-M', '0', 'host'], { AUTOSSH_GATETIME: '0' }), clock, {
      beforeStart: (host) => {
        host.failNextSpawn = true;
      },
    });
    clock.runUntil(0, MAX_CALLBACKS);
    clock.runUntil(1_000, MAX_CALLBACKS);
    expect(t.tracker.report()).toMatchObject({
      phase: 'exited', up: false, starts: 1, lastExit: { code: null, signal: null, reason: 'spawn_failed', at: isoAt(0) },
    });
  });

  it('keeps the rule label bounded: rules past MAX_DISTINCT_RULES count as "other"', () => {
    const clock = new VirtualClock();
    const t = handTunnel('rules', configOf(['-M', '0', 'host']), clock);
    clock.runUntil(0, MAX_CALLBACKS);
    for (let i = 0; i < MAX_DISTINCT_RULES + 10; i++) t.tracker.observe({ type: 'decision', rule: `rule${i}`, detail: 'x' });
    t.tracker.observe({ type: 'decision', rule: 'rule0', detail: 'again' });
    const decisions = t.tracker.counts().decisions;
    expect(Object.keys(decisions)).toHaveLength(MAX_DISTINCT_RULES + 1);
    expect(decisions[OTHER_RULE]).toBe(10);
    expect(decisions.rule0).toBe(2);
    // the report still names the rule itself
    expect(t.tracker.report().lastRule).toBe('rule0');
  });
});

describe('a tunnel tracker over seeded random worlds', () => {
  it('agrees with the machine and the world at every check, whatever happens', () => {
    const phasesSeen = new Set<string>();
    const reasonsSeen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const clock = new VirtualClock();
      // odd seeds: short-lived ssh and a long POLL, so fast tries pile up into grace-time waits
      const fast = seed % 2 === 1;
      const env = { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: fast ? '300' : '30', AUTOSSH_FIRST_POLL: '10', AUTOSSH_KILLTIME: '5' };
      const t = randomTunnel(`t${seed}`, configOf(['-M', '20000', 'host'], env), clock, seed, fast ? { ...HARSH_WORLD, meanRunMs: 3_000 } : HARSH_WORLD);
      let lastDecision: Extract<Effect, { type: 'decision' }> | null = null;
      for (let atMs = 0; atMs <= 900_000; atMs += 3_100) {
        clock.runUntil(atMs, MAX_CALLBACKS);
        const snapshot = t.supervisor.machineSnapshot();
        const state = tunnelStateOf(snapshot);
        const report = t.tracker.report();
        const where = `seed ${seed} at ${atMs} ms`;
        expect(report.phase, where).toBe(state.phase);
        expect(report.up, where).toBe(state.up);
        const spawns = t.effects.filter((e) => e.type === 'spawnSsh').length;
        expect(report.starts, where).toBe(spawns);
        expect(report.starts, where).toBe(state.startCount);
        expect(report.sshPid, where).toBe(t.host.sshAlive ? 4000 + t.host.starts : null);
        const counts = t.tracker.counts();
        expect(Object.values(counts.exits).reduce((a, b) => a + b, 0), where).toBe(t.ends.length);
        const decisions = t.effects.filter((e): e is Extract<Effect, { type: 'decision' }> => e.type === 'decision');
        expect(Object.values(counts.decisions).reduce((a, b) => a + b, 0), where).toBe(decisions.length);
        lastDecision = decisions.at(-1) ?? null;
        expect(report.lastRule, where).toBe(lastDecision?.rule ?? null);
        if (state.phase === 'backingOff') expect(report.backoffSeconds, where).toBe((state.backoffDueMs! - atMs) / 1000);
        else expect(report.backoffSeconds, where).toBeNull();
        if (report.phase === 'up' || report.phase === 'testing') expect(report.sshPid, where).not.toBeNull();
        phasesSeen.add(report.phase);
        for (const reason of Object.keys(counts.exits)) reasonsSeen.add(reason);
        if (t.supervisor.done) break;
      }
    }
    // the worlds were harsh enough to mean something
    expect([...phasesSeen].sort()).toEqual(['backingOff', 'exited', 'stopping', 'testing', 'up']);
    expect([...reasonsSeen].sort()).toEqual(expect.arrayContaining(['signal', 'spawn_failed', 'status_0', 'status_1', 'status_2', 'status_255', 'status_other', 'stopped']));
  });
});
