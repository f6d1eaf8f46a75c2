// sd_notify's STATUS= line: how many tunnels are up, and why the others are not.
import { describe, expect, it } from 'vitest';
import type { TunnelState } from '../../src/driver/tunnel-state.js';
import { statusLine } from '../../src/daemon/status-line.js';

const state = (phase: TunnelState['phase'], extra: Partial<TunnelState> = {}): TunnelState => ({
  phase, up: phase === 'up' || phase === 'testing', startCount: 1, backoffDueMs: null, exitCode: null, ...extra,
});

describe('statusLine', () => {
  it('counts the tunnels up and names the others with their wait', () => {
    expect(statusLine([
      { name: 'web', state: state('up'), nowMs: 0 },
      { name: 'db', state: state('backingOff', { backoffDueMs: 32_000 }), nowMs: 100 },
      { name: 'mail', state: state('testing'), nowMs: 0 },
      { name: 'old', state: state('exited', { exitCode: 0 }), nowMs: 0 },
    ])).toBe('2/4 tunnels up; db: backing off 32 s; old: exited (status 0)');
  });

  it('names at most three that are not up', () => {
    const down = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, state: state('connecting'), nowMs: 0 }));
    expect(statusLine(down)).toBe('0/5 tunnels up; a: connecting; b: connecting; c: connecting; 2 more');
  });
});
