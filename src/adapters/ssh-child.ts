// The ssh child: AUTOSSH_PATH executed directly (no shell), our environment passed on, and
// tied to our life: setpriv sets PR_SET_PDEATHSIG and then execs ssh in place (same pid), so
// even a SIGKILLed supervisor takes its ssh with it instead of leaving an orphan.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SshEnd } from '../machine/events.js';

const SETPRIV = '/usr/bin/setpriv';

/** Where execvp would find `file`, or the reason it would fail. */
export function resolveExecutable(file: string, path = process.env.PATH ?? '/usr/bin:/bin'): { path: string } | { error: string } {
  const candidates = file.includes('/') ? [file] : path.split(delimiter).map((dir) => join(dir || '.', file));
  let lastError = 'No such file or directory';
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) {
        lastError = 'Permission denied';
        continue;
      }
      accessSync(candidate, constants.X_OK);
      return { path: candidate };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES') lastError = 'Permission denied';
    }
  }
  return { error: lastError };
}

let setprivAvailable: boolean | null = null;
function canUseSetpriv(): boolean {
  if (setprivAvailable === null) {
    try {
      accessSync(SETPRIV, constants.X_OK);
      setprivAvailable = true;
    } catch {
      setprivAvailable = false;
    }
  }
  return setprivAvailable;
}

export class SshChild {
  private child: ChildProcess | null = null;

  /** Start ssh; `onEnd` gets its exit status once, `onError` a failure to start. */
  start(argv: string[], onEnd: (end: SshEnd) => void, onError: (message: string) => void): void {
    const resolved = resolveExecutable(argv[0]!);
    if ('error' in resolved) {
      queueMicrotask(() => onError(resolved.error));
      return;
    }
    const [file, args] = canUseSetpriv()
      ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', resolved.path, ...argv.slice(1)]]
      : [resolved.path, argv.slice(1)];
    const child = spawn(file, args, { argv0: argv[0]!, stdio: 'inherit', env: process.env });
    this.child = child;
    let reported = false;
    child.on('error', (error) => {
      if (reported) return;
      reported = true;
      this.child = null;
      onError(error.message);
    });
    child.on('exit', (code, signal) => {
      if (reported) return;
      reported = true;
      this.child = null;
      onEnd(signal ? { signal } : { code: code ?? 0 });
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    try {
      this.child?.kill(signal);
    } catch {
      // already gone; its exit is on its way
    }
  }
}
