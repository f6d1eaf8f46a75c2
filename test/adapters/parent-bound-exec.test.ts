// ssh bound to our life (src/adapters/parent-bound-exec.ts): exec'd with the argv, environment,
// signal state and descriptors a direct exec gives, as our direct child; never exec'd when the
// parent that spawned it is gone before the check; and none left by hundreds of parents
// SIGKILLed in the middle of starting their children (the daemon-sized storm is
// test/e2e/kill-storm.test.ts, the full-sized one bench/kill-storm.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parentBoundExec, SETPRIV } from '../../src/adapters/parent-bound-exec.js';
import { SshChild } from '../../src/adapters/ssh-child.js';
import { markedProcesses, runSpawnKillStorm } from '../../lab/world/kill-storm.js';
import { isAlive, killIfSame, readProc } from '../../lab/world/processes.js';
import { waitFor } from '../../lab/world/wait.js';

const SLEEP = '/usr/bin/sleep';
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-parent-bound-'));
const started: ChildProcess[] = [];
const marks: string[] = [];

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  // an ssh a broken check let through is not left running
  for (const mark of marks) for (const p of markedProcesses(mark)) killIfSame(p);
  rmSync(dir, { recursive: true, force: true });
});

/** What a process was exec'd with, and the state it runs in, from /proc. */
function execState(pid: number): Record<string, unknown> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const signals = status.split('\n').filter((line) => /^(SigBlk|SigIgn|SigCgt|NoNewPrivs):/.test(line));
  return {
    argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1),
    env: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').slice(0, -1),
    signals,
    fds: spawnSync('ls', [`/proc/${pid}/fd`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort(),
  };
}

async function waitForExec(pid: number, path: string): Promise<void> {
  await waitFor(() => (readProc(pid)?.argv[0] === path ? true : undefined), { timeoutMs: 5_000, what: `pid ${pid} to exec ${path}` });
}

describe('ssh exec\'d bound to its parent', () => {
  it('has the argv, environment, signal state and descriptors a direct exec by setpriv gave, as our direct child', async () => {
    // names and values a shell would change or drop on the way: none may change
    const odd = { 'A-B': '1', IFS: 'x', PPID: '7', OPTIND: '9', 'BASH_FUNC_f%%': '() { :; }', '-dash': 'v', 'a=b': 'c=d' } as Record<string, string>;
    const saved = { ...process.env };
    Object.assign(process.env, odd);
    delete process.env.PWD;
    try {
      const ssh = new SshChild();
      ssh.start(['sleep', '30'], { onEnd: () => {}, onError: (message) => expect.fail(message) });
      const pid = ssh.pid!;
      expect(pid).toBeGreaterThan(0);
      await waitForExec(pid, SLEEP);
      // before: setpriv exec'd ssh itself, with our environment
      const direct = spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', SLEEP, '30'], { argv0: 'sleep', stdio: 'inherit', env: process.env });
      started.push(direct);
      await waitForExec(direct.pid!, SLEEP);
      const ours = execState(pid);
      expect(ours).toEqual(execState(direct.pid!));
      expect(ours.argv).toEqual([SLEEP, '30']);
      expect(ours.env).toEqual(expect.arrayContaining(['A-B=1', 'IFS=x', 'PPID=7', 'OPTIND=9', 'BASH_FUNC_f%%=() { :; }', '-dash=v']));
      expect((ours.env as string[]).some((entry) => entry.startsWith('PWD='))).toBe(false);
      expect(readProc(pid)?.ppid).toBe(process.pid);
      ssh.signal('SIGKILL');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('never puts the environment in an argv (world-readable in /proc/PID/cmdline), only in the environment', () => {
    const env = { TOKEN: 'secret-value-42', 'ODD-NAME': 'another secret' };
    const plan = parentBoundExec(SLEEP, ['30'], env, process.pid);
    expect(plan.bound).toBe(true);
    const argv = [plan.argv0, ...plan.args].join('\0');
    expect(argv).not.toContain('secret');
    expect(argv).not.toContain('TOKEN');
    expect(Object.values(plan.env)).toEqual(['TOKEN=secret-value-42', 'ODD-NAME=another secret']);
  });

  it('a path with "=" in it still runs, with its argv[0] whole', async () => {
    const odd = join(dir, 'a=b');
    spawnSync('mkdir', ['-p', odd]);
    const path = join(odd, 'sleep');
    writeFileSync(path, readFileSync(SLEEP));
    chmodSync(path, 0o755);
    const plan = parentBoundExec(path, ['30'], { ONLY: 'this' }, process.pid);
    const child = spawn(plan.file, plan.args, { argv0: plan.argv0, env: plan.env, stdio: 'ignore' });
    started.push(child);
    await waitForExec(child.pid!, path);
    expect(execState(child.pid!)).toMatchObject({ argv: [path, '30'], env: ['ONLY=this'] });
  });

  it('dies with its parent SIGKILLed after the check', async () => {
    const run = await runUnderParent('stays');
    await waitFor(() => (existsSync(run.ran) ? true : undefined), { timeoutMs: 5_000, what: 'the fake ssh to run' });
    expect(readProc(run.childPid)?.ppid).toBe(run.parent.pid);
    run.parent.kill('SIGKILL');
    await waitFor(() => (isAlive(run.childPid) ? undefined : true), { timeoutMs: 5_000, what: 'ssh to die with its parent' });
  });

  it('never execs ssh when the parent that spawned it is gone before the check', async () => {
    const run = await runUnderParent('gone');
    // the child waited for its parent's death, then set its death signal too late: the check is
    // all that stands between it and an ssh nobody supervises
    await waitFor(() => (existsSync(run.ran) || (markedProcesses(run.mark).length === 0 && !isAlive(run.childPid)) ? true : undefined), { timeoutMs: 10_000, what: 'the orphaned child to leave' });
    expect(existsSync(run.ran), 'the fake ssh ran').toBe(false);
  });

  it('leaves no ssh behind when 200 parents are SIGKILLed in the middle of starting their children', async () => {
    const result = await runSpawnKillStorm({
      plan: (parentPid, mark) => parentBoundExec(SLEEP, ['300'], { PATH: '/usr/bin:/bin', ...mark }, parentPid),
      kills: 200,
      children: 4,
      lingerMaxMs: 3,
      seed: 16,
    });
    expect(result.kills).toBe(200);
    expect(result.survivors.map((p) => `pid ${p.pid} (parent ${p.ppid}) ${p.argv.join(' ')}`)).toEqual([]);
  }, 60_000);
});

/**
 * The plan run by a python3 parent for its own pid: 'stays' execs at once and the parent lives
 * on (until SIGKILLed); 'gone' waits, before its exec, until the parent has SIGKILLed itself.
 */
const PARENT_PY = `
import json, os, signal, sys, time
spec = json.load(sys.stdin)
me = os.getpid()
argv = [spec["argv0"]] + spec["args"]
argv[spec["pidIndex"]] = str(me)
child = os.fork()
if child == 0:
    if spec["mode"] == "gone":
        deadline = time.monotonic() + 5
        while os.getppid() == me and time.monotonic() < deadline:
            time.sleep(0.005)
    try:
        os.execve(spec["file"], argv, spec["env"])
    finally:
        os._exit(127)
print(child, flush=True)
if spec["mode"] == "gone":
    os.kill(me, signal.SIGKILL)
time.sleep(60)
`;

async function runUnderParent(mode: 'stays' | 'gone'): Promise<{ parent: ChildProcess; childPid: number; ran: string; mark: string }> {
  const mark = `${mode}-${process.pid}-${Date.now()}`;
  marks.push(mark);
  const ran = join(dir, `ran-${mode}`);
  const ssh = join(dir, `ssh-${mode}`);
  writeFileSync(ssh, '#!/bin/sh\n: > "$RAN"\nexec sleep 30\n');
  chmodSync(ssh, 0o755);
  const placeholder = 2 ** 22 + 1;
  const plan = parentBoundExec(ssh, ['-N', 'host'], { PATH: '/usr/bin:/bin', RAN: ran, KILL_STORM_MARK: mark }, placeholder);
  const pidIndex = plan.args.indexOf(String(placeholder)) + 1;
  const parent = spawn('python3', ['-c', PARENT_PY], { stdio: ['pipe', 'pipe', 'inherit'] });
  started.push(parent);
  parent.stdin!.end(JSON.stringify({ ...plan, pidIndex, mode }));
  const childPid = await new Promise<number>((resolve, reject) => {
    parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once('exit', () => reject(new Error('the parent ended before it forked')));
  });
  return { parent, childPid, ran, mark };
}
