// sd_notify's STATUS= line: how many tunnels are up, and why the others are not.
import { describe, expect, it } from 'vitest';
import { statusLine } from '../../src/daemon/status-line.js';
import type { DaemonTunnelState } from '../../src/daemon/tunnel-view.js';

const state = (phase: DaemonTunnelState['phase'], extra: Partial<DaemonTunnelState> = {}): DaemonTunnelState => ({
  phase, up: phase === 'up' || phase === 'testing', startCount: 1, backoffDueMs: null, exitCode: null,
  policy: 'always', runs: 1, restart: null, final: null, ...extra,
});

describe('statusLine', () => {
  it('counts the tunnels up and names the others with their wait', () => {
    expect(statusLine([
      { name: 'web', state: state('up'), nowMs: 0 },
      { name: 'db', state: state('backingOff', { backoffDueMs: 32_000 }), nowMs: 100 },
      { name: 'mail', state: state('testing'), nowMs: 0 },
      { name: 'old', state: state('exited', { exitCode: 0, policy: 'no' }), nowMs: 0 },
    ])).toBe('2/4 tunnels up; db: backing off 32 s; old: exited (status 0; restart = "no")');
  });

  it('names at most three that are not up', () => {
    const down = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, state: state('connecting'), nowMs: 0 }));
    expect(statusLine(down)).toBe('0/5 tunnels up; a: connecting; b: connecting; c: connecting; 2 more');
  });

  it('says a restart wait with the policy and why the run ended, and a stopped tunnel as stopped', () => {
    const waiting = state('restarting', {
      runs: 4, restart: { run: 4, reason: 'max_start', code: 0, dueMs: 40_000, rule: 'restartSec', why: 'restart_sec = 30 s' },
    });
    expect(statusLine([
      { name: 'db', state: waiting, nowMs: 10_000 },
      { name: 'web', state: state('stopped', { exitCode: 1 }), nowMs: 0 },
    ])).toBe('0/2 tunnels up; db: restarting in 30 s (policy always, run 4 ended: maximum start count reached); web: stopped');
  });
});
