// Under a low `ulimit -n` Node runs out of descriptors while it loads the lab's modules, before
// any of our code runs: autossh-lab says so in one line with what to do (exit 1: the
// environment's failure, not the input's), never with a stack trace. Runs the built CLI.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeFailure, exitStatusOf } from '../../lab/cli/exit-status.js';

/** autossh-lab with the soft limit on open files lowered first */
const labWithFdLimit = (limit: number, ...args: string[]) => spawnSync('/bin/sh', ['-c', `ulimit -n ${limit} && exec "$0" dist/lab/cli/lab.js "$@"`, process.execPath, ...args], {
  encoding: 'utf8',
  timeout: 10_000,
});

describe('out of file descriptors', () => {
  it('while loading: one line naming EMFILE and the limit, exit 1', () => {
    // 32 is far below what loading the lab needs (it opens its modules many at a time), and above what Node itself needs to start
    const run = labWithFdLimit(32, 'toxiproxy', '--port', '0');
    expect(run.stderr).toBe('autossh-lab: too many open files (EMFILE) while loading its modules: raise ulimit -n (it is 32 here)\n');
    expect(run.status).toBe(1);
  });

  it('while running: the same words, and the system call that failed', () => {
    const error = Object.assign(new Error("EMFILE: too many open files, open '/tmp/x'"), { code: 'EMFILE' });
    expect(describeFailure(error)).toMatch(/^too many open files \(EMFILE\) while running: raise ulimit -n \(it is \d+ here\) \(EMFILE: too many open files, open '\/tmp\/x'\)$/);
    expect(exitStatusOf(error)).toBe(1);
    const system = Object.assign(new Error('ENFILE: file table overflow'), { code: 'ENFILE' });
    expect(describeFailure(system)).toMatch(/^the system has too many open files \(ENFILE\) while running: close some programs, or raise fs\.file-max/);
  });
});
