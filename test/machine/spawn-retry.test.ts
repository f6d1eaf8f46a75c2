// A start that fails for now (out of descriptors, processes or memory) is retried on a doubling
// wait up to POLL, said in the log; a start that fails for good is D7 as before.
import { describe, expect, it } from 'vitest';
import { runAsActor } from '../../src/driver/machine-runner.js';
import { LOG_ERR } from '../../src/machine/config/log-levels.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { isTransientSpawnFailure, spawnRetrySeconds } from '../../src/machine/decisions/spawn-failure.js';
import type { Effect } from '../../src/machine/effects.js';
import type { MachineEvent, WorldEvent } from '../../src/machine/events.js';

function machine(env: Record<string, string> = {}) {
  const effects: Effect[] = [];
  const outcome = parseCommandLine(['-M', '0', 'h'], { AUTOSSH_PATH: '/usr/bin/ssh', AUTOSSH_GATETIME: '0', ...env });
  if (outcome.kind !== 'run') throw new Error('bad config');
  const actor = runAsActor({ config: outcome.config }, undefined, { onEffect: (e) => effects.push(e), onError: (e) => { throw e; } });
  let now = 0;
  const send = (event: WorldEvent & { atMs?: number }): Effect[] => {
    now = event.atMs ?? now;
    const from = effects.length;
    actor.send({ ...event, atMs: now } as MachineEvent);
    return effects.slice(from);
  };
  return { send, effects, now: () => now };
}

const emfile = { type: 'SSH_SPAWN_FAILED', error: 'spawn /usr/bin/setpriv EMFILE', errno: 'EMFILE' } as const;
const spawns = (effects: Effect[]) => effects.filter((e) => e.type === 'spawnSsh').map((e) => (e as { n: number }).n);
const backoffDue = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'armTimer' && e.timer === 'backoff' ? [e.dueMs] : []));
const logs = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'log' ? [e.message] : []));

describe('a start that fails for now', () => {
  it('is retried on a wait that doubles from 1 s up to POLL, said in the log, with no exit', () => {
    const m = machine({ AUTOSSH_POLL: '5' });
    m.send({ type: 'START', atMs: 0 });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const after = m.send(emfile);
      const [due] = backoffDue(after);
      expect(due, `failure ${i + 1}: ${JSON.stringify(after)}`).toBeDefined();
      waits.push((due! - m.now()) / 1000);
      expect(after).toContainEqual({ type: 'log', level: LOG_ERR, message: `cannot start ssh: too many open files (EMFILE): retrying in ${waits.at(-1)} s` });
      expect(after.some((e) => e.type === 'exit')).toBe(false);
      expect(spawns(m.send({ type: 'BACKOFF_DUE', atMs: due! }))).toEqual([i + 2]);
    }
    expect(waits).toEqual([1, 2, 4, 5, 5, 5]);
  });

  it('starts its schedule anew once an ssh ran', () => {
    const m = machine({ AUTOSSH_POLL: '60' });
    m.send({ type: 'START', atMs: 0 });
    m.send(emfile);
    m.send({ type: 'BACKOFF_DUE', atMs: 1_000 });
    m.send(emfile);
    m.send({ type: 'BACKOFF_DUE', atMs: 3_000 }); // start 3 runs
    const restart = m.send({ type: 'SSH_EXITED', end: { code: 255 }, atMs: 100_000 });
    expect(spawns(restart)).toEqual([4]);
    const after = m.send({ ...emfile, atMs: 100_001 });
    expect(backoffDue(after)).toEqual([101_001]);
  });

  it.each(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM'])('%s is one of them', (errno) => {
    const m = machine();
    m.send({ type: 'START', atMs: 0 });
    const after = m.send({ type: 'SSH_SPAWN_FAILED', error: `spawn ${errno}`, errno });
    expect(backoffDue(after)).toEqual([1_000]);
    expect(after.some((e) => e.type === 'exit')).toBe(false);
  });

  it('counts toward AUTOSSH_MAXSTART: the last start allowed failing ends the run as MAXSTART does', () => {
    const m = machine({ AUTOSSH_MAXSTART: '2' });
    m.send({ type: 'START', atMs: 0 });
    m.send(emfile);
    m.send({ type: 'BACKOFF_DUE', atMs: 1_000 });
    const after = m.send(emfile);
    expect(logs(after)).toEqual(['/usr/bin/ssh: too many open files (EMFILE)', 'max start count reached; exiting']);
    expect(after.at(-1)).toEqual({ type: 'exit', code: 0 });
    expect(spawns(m.effects)).toEqual([1, 2]);
  });

  it('is a backoff wait like any other: SIGTERM ends the run, SIGUSR1 starts ssh now (D1)', () => {
    const term = machine();
    term.send({ type: 'START', atMs: 0 });
    term.send(emfile);
    expect(term.send({ type: 'SIGNAL.TERM', atMs: 500 }).at(-1)).toEqual({ type: 'exit', code: 1 });
    const prod = machine();
    prod.send({ type: 'START', atMs: 0 });
    prod.send(emfile);
    expect(spawns(prod.send({ type: 'SIGNAL.USR1', atMs: 500 }))).toEqual([2]);
  });
});

describe('a start that fails for good', () => {
  it.each([
    ['no errno', { error: 'No such file or directory' }],
    ['EACCES', { error: 'spawn /usr/bin/setpriv EACCES', errno: 'EACCES' }],
    ['E2BIG', { error: 'spawn E2BIG', errno: 'E2BIG' }],
  ])('is D7 (%s): the error logged, exit 1', (_name, failure) => {
    const m = machine();
    m.send({ type: 'START', atMs: 0 });
    const after = m.send({ type: 'SSH_SPAWN_FAILED', ...failure });
    expect(logs(after)).toEqual([`/usr/bin/ssh: ${failure.error}`]);
    expect(after.at(-1)).toEqual({ type: 'exit', code: 1 });
  });
});

describe('the spawn failure decisions', () => {
  it('tells the errnos that pass from those that do not', () => {
    expect(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM'].every(isTransientSpawnFailure)).toBe(true);
    expect([null, undefined, '', 'ENOENT', 'EACCES', 'E2BIG', 'toString', 'constructor'].some(isTransientSpawnFailure)).toBe(false);
  });

  it('doubles from 1 s, never past POLL, for any length of row', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => spawnRetrySeconds(n, 600))).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(spawnRetrySeconds(10, 600)).toBe(512);
    expect(spawnRetrySeconds(11, 600)).toBe(600);
    expect(spawnRetrySeconds(1e9, 600)).toBe(600);
    expect(spawnRetrySeconds(3, 1)).toBe(1);
  });
});
