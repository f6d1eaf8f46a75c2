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
// exported functions). Nor may the environment pass through anyone's argv: /proc/PID/cmdline is
// world-readable, /proc/PID/environ only the owner's. So each entry travels in the environment
// under a name of ours (AUTOSSH_TS_ENV_0=NAME=VALUE ...), which no shell changes, and env(1) -i -S
// '-- ${AUTOSSH_TS_ENV_0} ...' makes them assignments again, in order, values untouched (its -S
// inserts an expanded value as it is: not split, not unescaped), drops everything else, and
// execs ssh. One pid throughout (setpriv, sh, env, ssh are execs of one another): ssh is still
// our direct child, with the argv it had (argv[0] the resolved path) and exactly our environment.
//
// env(1) takes every leading NAME=VALUE as an assignment, so a path with '=' in it cannot be its
// command: for such a path setpriv (no options, a plain exec) is the last hop instead.
import { accessSync, constants } from 'node:fs';

export const SETPRIV = '/usr/bin/setpriv';
export const SHELL = '/bin/sh';
export const ENV = '/usr/bin/env';

/** Where each environment entry travels, numbered in order. */
export const STASH_PREFIX = 'AUTOSSH_TS_ENV_';

/** $1: the pid that must still be our parent; $2: env(1)'s -S string; the rest: ssh's path and args. */
export const PARENT_CHECK_SCRIPT = '[ "$PPID" = "$1" ] || exit 1; s=$2; shift 2; exec ' + ENV + ' -i -S "$s" "$@"';

export interface ExecPlan {
  /** what to spawn */
  file: string;
  args: string[];
  /** the spawned process's argv[0] */
  argv0: string;
  /** the spawned process's environment (ssh's own, renamed, when bound) */
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
  const stash = Object.fromEntries(entries.map((entry, i) => [`${STASH_PREFIX}${i}`, entry]));
  // '--' first: an entry's name may begin with '-'
  const assignments = ['--', ...entries.map((_, i) => `\${${STASH_PREFIX}${i}}`)].join(' ');
  const command = path.includes('=') ? [SETPRIV, '--', path] : [path];
  return {
    file: SETPRIV,
    args: ['--pdeathsig', 'SIGKILL', '--', SHELL, '-c', PARENT_CHECK_SCRIPT, 'sh', String(parentPid), assignments, ...command, ...args],
    argv0: SETPRIV,
    env: stash,
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
