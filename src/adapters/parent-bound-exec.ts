// How ssh is executed so that it cannot outlive us, even when we are SIGKILLed while starting it.
//
// PR_SET_PDEATHSIG (set by util-linux's setpriv, which then execs in place) kills the child when
// its parent dies, but only a parent that dies after the prctl: one that dies between the fork
// and the prctl (a SIGKILL while a daemon starts or reloads hundreds of tunnels) leaves the child
// reparented to init, and its ssh runs on unsupervised. prctl(2)'s own advice closes that window:
// after setting the death signal, check that the parent is still the one that forked us, and
// leave if not. A shell does the check with no extra process: it is exec'd by setpriv, reads
// $PPID (getppid() at its start, so after the prctl) and execs onward. If $PPID is still our pid,
// our death from then on delivers the signal; if not, we are already gone and nothing runs.
//
// The shell must not touch ssh's environment, and every shell does (dash exports PWD where none
// was, resets PPID, IFS and OPTIND, and drops names that are not identifiers, such as bash's
// exported functions). So the shell gets an empty environment, the real one travels as its
// arguments, and env(1) -i execs ssh with exactly those entries, in order. The bytes are the same
// as a direct exec's (the environment moves from envp to argv for one exec and back), so nothing
// that fit before is now too long. One pid throughout (setpriv, sh, env, ssh are execs of one
// another): ssh is still our direct child, with the argv it had (argv[0] the resolved path).
//
// env(1) takes every leading NAME=VALUE as an assignment, so a path with '=' in it cannot be its
// command: for such a path setpriv (no options, a plain exec) is the last hop instead.
import { accessSync, constants } from 'node:fs';

export const SETPRIV = '/usr/bin/setpriv';
export const SHELL = '/bin/sh';
export const ENV = '/usr/bin/env';

/** $1 is the pid that must still be our parent; the rest is env(1)'s command line. */
export const PARENT_CHECK_SCRIPT = '[ "$PPID" = "$1" ] || exit 1; shift; exec ' + ENV + ' -i -- "$@"';

export interface ExecPlan {
  /** what to spawn */
  file: string;
  args: string[];
  /** the spawned process's argv[0] */
  argv0: string;
  /** the spawned process's environment (ssh's own travels in `args` when bound) */
  env: NodeJS.ProcessEnv;
  /** ssh dies with its parent (false only where setpriv, sh or env is missing) */
  bound: boolean;
}

/**
 * How to run ssh (`path` resolved, `args` after argv[0]) with `env`, bound to the life of the
 * process `parentPid` (ours): ssh's argv is [path, ...args] and its environment exactly `env`.
 */
export function parentBoundExec(path: string, args: readonly string[], env: NodeJS.ProcessEnv, parentPid: number, argv0 = path): ExecPlan {
  if (!toolsPresent()) return { file: path, args: [...args], argv0, env, bound: false };
  const entries = Object.entries(env).flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${value}`]));
  const command = path.includes('=') ? [SETPRIV, '--', path] : [path];
  return {
    file: SETPRIV,
    args: ['--pdeathsig', 'SIGKILL', '--', SHELL, '-c', PARENT_CHECK_SCRIPT, 'sh', String(parentPid), ...entries, ...command, ...args],
    argv0: SETPRIV,
    env: {},
    bound: true,
  };
}

let present: boolean | null = null;
function toolsPresent(): boolean {
  if (present === null) {
    try {
      for (const tool of [SETPRIV, SHELL, ENV]) accessSync(tool, constants.X_OK);
      present = true;
    } catch {
      present = false;
    }
  }
  return present;
}
