// D9-D12, the liveness rules, driven event by event through the real machine: what each rule
// decides, and that with its setting off the machine decides as 1.4g does.
import { describe, expect, it } from 'vitest';
import { runAsActor } from '../../src/driver/machine-runner.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Effect } from '../../src/machine/effects.js';
import type { MachineEvent, WorldEvent } from '../../src/machine/events.js';
import { forwardRetrySeconds, failedRemoteForwardPort } from '../../src/machine/decisions/forward-retry.js';
import { jitterMs } from '../../src/machine/decisions/jitter.js';

function machine(args: string[], env: Record<string, string>, jitterSeed = 0) {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', ...env }, jitterSeed);
  if (outcome.kind !== 'run') throw new Error(`bad config: ${JSON.stringify(outcome)}`);
  const effects: Array<Effect & { atMs: number }> = [];
  let nowMs = 0;
  const actor = runAsActor({ config: outcome.config }, undefined, {
    onEffect: (effect) => effects.push({ ...effect, atMs: nowMs }),
    onError: (error) => { throw error; },
  });
  const send = (atMs: number, event: WorldEvent): void => {
    nowMs = atMs;
    actor.send({ ...event, atMs } as MachineEvent);
  };
  send(0, { type: 'START' });
  return { effects, send, actor, state: () => JSON.stringify(actor.getSnapshot().value) };
}

const rules = (effects: Effect[]): string[] => effects.flatMap((e) => (e.type === 'decision' ? [e.rule] : []));
const spawnTimes = (effects: Array<Effect & { atMs: number }>): number[] => effects.filter((e) => e.type === 'spawnSsh').map((e) => e.atMs);
const LOCAL_FORWARD = ['-M', '0', '-N', '-L', '127.0.0.1:5432:db:5432', 'host'];

describe('D9: AUTOSSH_CONNECTTIME', () => {
  it('restarts an ssh whose session does not come up in time', () => {
    const m = machine(LOCAL_FORWARD, { AUTOSSH_CONNECTTIME: '20' });
    expect(m.state()).toBe('{"sshRunning":"connecting"}');
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'awaitEstablished', listenPorts: [5432], authLine: false }));
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'armTimer', timer: 'connect', dueMs: 20_000 }));
    m.send(20_000, { type: 'CONNECT_DUE' });
    expect(rules(m.effects)).toContain('connectTimeExceeded');
    expect(m.effects.at(-2)).toMatchObject({ type: 'signalSsh', signal: 'SIGTERM' });
    m.send(20_100, { type: 'SSH_EXITED', end: { code: 255 } });
    expect(spawnTimes(m.effects)).toEqual([0, 20_100]);
  });

  it('an established session cancels the deadline', () => {
    const m = machine(LOCAL_FORWARD, { AUTOSSH_CONNECTTIME: '20' });
    m.send(700, { type: 'SSH_ESTABLISHED', n: 1 });
    expect(m.state()).toBe('{"sshRunning":"up"}');
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'cancelTimer', timer: 'connect' }));
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'log', message: 'ssh session established after 0.7 s' }));
  });

  it('stays off without evidence to wait for, or by default', () => {
    for (const m of [machine(['-M', '0', '-N', 'host'], { AUTOSSH_CONNECTTIME: '20' }), machine(LOCAL_FORWARD, {})]) {
      expect(m.state()).toBe('{"sshRunning":"up"}');
      expect(m.effects.some((e) => e.type === 'awaitEstablished')).toBe(false);
    }
  });

  it('AUTOSSH_LIVENESS=1 turns it on at 60 s, and LogLevel=VERBOSE is evidence too', () => {
    const m = machine(['-M', '0', '-o', 'LogLevel=VERBOSE', 'host'], { AUTOSSH_LIVENESS: '1' });
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'awaitEstablished', listenPorts: [], authLine: true }));
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'armTimer', timer: 'connect', dueMs: 60_000 }));
  });
});

describe('D10: AUTOSSH_FORWARDCHECK', () => {
  const REMOTE = ['-M', '0', '-N', '-R', '2222:localhost:22', 'host'];

  it('reads the port from ssh\'s words, with and without ExitOnForwardFailure', () => {
    expect(failedRemoteForwardPort('Warning: remote port forwarding failed for listen port 2222')).toBe(2222);
    expect(failedRemoteForwardPort('Error: remote port forwarding failed for listen port 80')).toBe(80);
    expect(failedRemoteForwardPort('Authenticated to relay ([10.0.0.1]:22).')).toBeNull();
  });

  it('retries on the short schedule, 2, 4, 8, then every 10 s', () => {
    expect([1, 2, 3, 4, 5, 9].map(forwardRetrySeconds)).toEqual([2, 4, 8, 10, 10, 10]);
    const m = machine(REMOTE, { AUTOSSH_FORWARDCHECK: '1' });
    let t = 500;
    for (let i = 0; i < 5; i++) {
      m.send(t, { type: 'REMOTE_FORWARD_FAILED', n: i + 1, port: 2222 });
      m.send(t, { type: 'SSH_EXITED', end: { code: 255 } });
      const wait = m.effects.filter((e) => e.type === 'armTimer' && e.timer === 'backoff').at(-1) as { dueMs: number };
      t = wait.dueMs;
      m.send(t, { type: 'BACKOFF_DUE' });
      t += 500;
    }
    const starts = spawnTimes(m.effects);
    expect(starts.slice(1).map((s, i) => s - (i === 0 ? 500 : starts[i]! + 500))).toEqual([2000, 4000, 8000, 10_000, 10_000]);
    expect(rules(m.effects).filter((r) => r === 'remoteForwardFailed')).toHaveLength(5);
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'log', message: expect.stringContaining('ClientAliveInterval') }));
  });

  it('counts only a refusal of one of its own -R ports: the same words about another port (a banner) change nothing', () => {
    for (const args of [LOCAL_FORWARD, REMOTE]) {
      const m = machine(args, { AUTOSSH_FORWARDCHECK: '1' });
      m.send(500, { type: 'REMOTE_FORWARD_FAILED', n: 1, port: 9999 });
      expect(m.state()).toBe('{"sshRunning":"up"}');
      expect(m.effects.some((e) => e.type === 'signalSsh')).toBe(false);
    }
    const m = machine(REMOTE, { AUTOSSH_FORWARDCHECK: '1' });
    m.send(600, { type: 'REMOTE_FORWARD_FAILED', n: 1, port: 2222 });
    expect(rules(m.effects)).toEqual(['remoteForwardFailed']);
    // the -M monitor's own -R port is one of the tunnel's
    const monitored = machine(['-M', '20000', '-N', 'host'], { AUTOSSH_FORWARDCHECK: '1' });
    monitored.send(700, { type: 'REMOTE_FORWARD_FAILED', n: 1, port: 20000 });
    expect(rules(monitored.effects)).toEqual(['remoteForwardFailed']);
  });

  it('reads only ssh\'s own line, which ends with the port: not the words inside other text', () => {
    expect(failedRemoteForwardPort('Warning: remote port forwarding failed for listen port 2222 (said the banner)')).toBeNull();
    expect(failedRemoteForwardPort('remote port forwarding failed for listen port 2222')).toBeNull();
    // a banner's last line without its newline, then ssh's own line: still ssh's
    expect(failedRemoteForwardPort('Welcome.Error: remote port forwarding failed for listen port 2222')).toBe(2222);
  });

  it('off by default: the line changes nothing, as in 1.4g', () => {
    const m = machine(REMOTE, {});
    m.send(500, { type: 'REMOTE_FORWARD_FAILED', n: 1, port: 2222 });
    expect(m.state()).toBe('{"sshRunning":"up"}');
    expect(m.effects.some((e) => e.type === 'signalSsh')).toBe(false);
  });

  it('a line read after its ssh was reaped is about that ssh, not the next one', () => {
    const m = machine(REMOTE, { AUTOSSH_FORWARDCHECK: '1' });
    m.send(500, { type: 'SSH_EXITED', end: { code: 255 } });
    expect(spawnTimes(m.effects)).toEqual([0, 500]);
    m.send(510, { type: 'REMOTE_FORWARD_FAILED', n: 1, port: 2222 });
    expect(m.state()).toBe('{"sshRunning":"up"}');
    m.send(520, { type: 'REMOTE_FORWARD_FAILED', n: 2, port: 2222 });
    expect(rules(m.effects)).toContain('remoteForwardFailed');
  });

  it('an ssh that ends for another reason ends the run of retries', () => {
    const m = machine(REMOTE, { AUTOSSH_FORWARDCHECK: '1' });
    m.send(500, { type: 'REMOTE_FORWARD_FAILED', n: 1, port: 2222 });
    m.send(500, { type: 'SSH_EXITED', end: { code: 255 } });
    m.send(2500, { type: 'BACKOFF_DUE' });
    m.send(900_000, { type: 'SSH_EXITED', end: { code: 255 } });
    expect(spawnTimes(m.effects)).toEqual([0, 2500, 900_000]);
  });
});

describe('D11: AUTOSSH_NETWATCH', () => {
  const lastBackoffDueMs = (effects: Effect[]): number =>
    (effects.filter((e) => e.type === 'armTimer' && e.timer === 'backoff').at(-1) as { dueMs: number }).dueMs;

  // fast failures, 1 s apart, until grace time makes a wait (the sixth start, 2 s at POLL 600);
  // jitter-only waits on the way are waited out
  function backingOff(env: Record<string, string>) {
    const m = machine(['-M', '0', 'host'], { AUTOSSH_POLL: '600', ...env });
    let t = 1000;
    for (let i = 0; i < 20; i++, t += 1000) {
      m.send(t, { type: 'SSH_EXITED', end: { code: 255 } });
      if (m.state() !== '"backingOff"') continue;
      if (rules(m.effects).includes('graceTime')) return { m, t };
      t = lastBackoffDueMs(m.effects);
      m.send(t, { type: 'BACKOFF_DUE' });
    }
    throw new Error('never backed off');
  }

  it('the network coming back ends a backoff wait at once', () => {
    const { m, t } = backingOff({ AUTOSSH_NETWATCH: '1' });
    expect(m.effects.at(-1)).toMatchObject({ type: 'watchNetwork' });
    m.send(t + 300, { type: 'NETWORK_CHANGED', detail: 'eth0 up' });
    expect(spawnTimes(m.effects).at(-1)).toBe(t + 300);
    expect(rules(m.effects)).toContain('networkChanged');
    expect(m.effects).toContainEqual(expect.objectContaining({ type: 'unwatchNetwork' }));
  });

  it('off by default: no watching, and the news changes nothing', () => {
    const { m, t } = backingOff({});
    expect(m.effects.some((e) => e.type === 'watchNetwork')).toBe(false);
    m.send(t + 300, { type: 'NETWORK_CHANGED', detail: 'eth0 up' });
    expect(m.state()).toBe('"backingOff"');
  });

  it('with jitter, the wait shrinks to the jitter alone', () => {
    const { m, t } = backingOff({ AUTOSSH_NETWATCH: '1', AUTOSSH_JITTER: '30' });
    const beforeMs = lastBackoffDueMs(m.effects);
    m.send(t + 300, { type: 'NETWORK_CHANGED', detail: 'eth0 up' });
    const afterMs = lastBackoffDueMs(m.effects);
    expect(m.state()).toBe('"backingOff"');
    // grace time's 2 s is gone; this start's jitter is left
    expect(beforeMs - afterMs).toBe(2000 - 300);
    expect(rules(m.effects)).toContain('networkChanged');
  });
});

describe('D12: AUTOSSH_JITTER', () => {
  it('spreads restarts by (seed, start number): same seed same waits, other seeds others', () => {
    const waits = (seed: number) => [2, 3, 4, 5].map((n) => jitterMs(seed, n, 30));
    expect(waits(7)).toEqual(waits(7));
    expect(waits(7)).not.toEqual(waits(8));
    for (const w of [...waits(7), ...waits(8)]) expect(w).toBeGreaterThanOrEqual(0), expect(w).toBeLessThan(30_000);
    expect(jitterMs(7, 1, 30)).toBe(0); // the first start is not delayed
    expect(jitterMs(7, 2, 0)).toBe(0);
  });

  it('a restart waits its jitter; without the setting it does not', () => {
    const withJitter = machine(['-M', '0', 'host'], { AUTOSSH_JITTER: '30' }, 7);
    withJitter.send(60_000, { type: 'SSH_EXITED', end: { code: 255 } });
    expect(rules(withJitter.effects)).toContain('jitter');
    expect(spawnTimes(withJitter.effects)).toEqual([0]);
    withJitter.send(60_000 + jitterMs(7, 2, 30), { type: 'BACKOFF_DUE' });
    expect(spawnTimes(withJitter.effects)).toEqual([0, 60_000 + jitterMs(7, 2, 30)]);

    const without = machine(['-M', '0', 'host'], {}, 7);
    without.send(60_000, { type: 'SSH_EXITED', end: { code: 255 } });
    expect(spawnTimes(without.effects)).toEqual([0, 60_000]);
  });
});
