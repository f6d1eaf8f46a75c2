// The STATUS= line for each phase tunnelStateOf names, read from the real machine driven event by
// event (the e2e test sees only what a fake ssh can provoke: no D9, no lifetime, no restart).
import { describe, expect, it } from 'vitest';
import { tunnelStatusText } from '../../src/cli/readiness.js';
import { runAsActor } from '../../src/driver/machine-runner.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { MachineEvent, WorldEvent } from '../../src/machine/events.js';

const SSH_PID = 4242;

function machine(args: string[], env: Record<string, string> = {}) {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', ...env }, 0);
  if (outcome.kind !== 'run') throw new Error(`bad config: ${JSON.stringify(outcome)}`);
  const actor = runAsActor({ config: outcome.config }, undefined, { onEffect: () => {}, onError: (error) => { throw error; } });
  const send = (atMs: number, event: WorldEvent): void => actor.send({ ...event, atMs } as MachineEvent);
  /** `pid` null: the host has no ssh pid */
  const status = (nowMs = 0, pid: number | null = SSH_PID): string => tunnelStatusText(actor.getSnapshot(), pid ?? undefined, nowMs);
  return { send, status };
}

const LOCAL_FORWARD = ['-M', '0', '-N', '-L', '127.0.0.1:5432:db:5432', 'host'];

describe('tunnelStatusText', () => {
  it('before START, then ssh running and up (-M 0, D9 off)', () => {
    const m = machine(['-M', '0', '-N', 'host']);
    expect(m.status()).toBe('starting');
    m.send(0, { type: 'START' });
    expect(m.status()).toBe(`ssh running (pid ${SSH_PID}), up`);
    // the machine started ssh but the host has no pid: its failure to start is on its way
    expect(m.status(0, null)).toBe('starting ssh');
  });

  it('D9: connecting until the session shows, then up', () => {
    const m = machine(LOCAL_FORWARD, { AUTOSSH_CONNECTTIME: '20' });
    m.send(0, { type: 'START' });
    expect(m.status()).toBe(`connecting: ssh (pid ${SSH_PID}) running, waiting for the session (D9)`);
    m.send(700, { type: 'SSH_ESTABLISHED', n: 1 });
    expect(m.status()).toBe(`ssh running (pid ${SSH_PID}), up`);
  });

  it('a connection test in flight reads as up; a failed one as stopping to restart', () => {
    const m = machine(['-M', '20000', '-N', 'host'], { AUTOSSH_POLL: '30' });
    m.send(0, { type: 'START' });
    m.send(30_000, { type: 'POLL_DUE' });
    expect(m.status()).toBe(`ssh running (pid ${SSH_PID}), up`);
    m.send(30_100, { type: 'PROBE_FAILED', probeId: 1, reason: 'timeout' });
    expect(m.status()).toBe(`stopping ssh (pid ${SSH_PID}) to restart it`);
  });

  it('backing off: the seconds left and the rule', () => {
    const m = machine(['-M', '0', '-N', 'host']);
    m.send(0, { type: 'START' });
    // five fast tries start at once; the sixth waits 2 s (grace time with the default POLL)
    for (let i = 1; i <= 6; i++) m.send(i * 100, { type: 'SSH_EXITED', end: { code: 255 } });
    expect(m.status(600)).toBe('backing off 2 s (graceTime)');
    expect(m.status(1_700)).toBe('backing off 1 s (graceTime)');
    expect(m.status(5_000)).toBe('backing off 0 s (graceTime)');
  });

  it('on the way out: a signal to exit, the lifetime, the end', () => {
    const signalled = machine(['-M', '0', '-N', 'host']);
    signalled.send(0, { type: 'START' });
    signalled.send(1_000, { type: 'SIGNAL.TERM' });
    expect(signalled.status()).toBe(`stopping ssh (pid ${SSH_PID}) on the way out`);
    signalled.send(1_100, { type: 'SSH_EXITED', end: { code: 255 } });
    expect(signalled.status()).toBe('exited (status 1)');

    const aged = machine(['-M', '0', '-N', 'host'], { AUTOSSH_MAXLIFETIME: '60' });
    aged.send(0, { type: 'START' });
    aged.send(60_000, { type: 'LIFETIME_DUE' });
    expect(aged.status()).toBe(`stopping ssh (pid ${SSH_PID}): AUTOSSH_MAXLIFETIME reached`);
  });
});
