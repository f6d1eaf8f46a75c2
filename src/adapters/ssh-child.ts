// The ssh child: AUTOSSH_PATH executed as our direct child, our environment passed on exactly,
// and tied to our life (./parent-bound-exec.ts): PR_SET_PDEATHSIG, then a check that we are still
// its parent, then ssh exec'd in place (same pid), so even a SIGKILLed supervisor takes its ssh
// with it instead of leaving an orphan, however close to the spawn the SIGKILL comes.
//
// stdin and stdout are ours, as under 1.4g. stderr too, unless a liveness rule reads ssh's words
// (`onStderrLine`): then it comes through a pipe, every byte passed on to our stderr, and ssh's
// end is told only after its last line: ssh with ExitOnForwardFailure=yes prints "remote port
// forwarding failed" and exits at once, and the rules must hear the line before the exit. The end
// waits for the pipe's EOF, or STDERR_GRACE_MS at most (a child of ssh may hold the pipe open).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SshEnd } from '../machine/events.js';
import { parentBoundExec } from './parent-bound-exec.js';
import { SshStderr, toOwnStderr, type ByteSink } from './ssh-stderr.js';

/** The longest an ssh's end waits for its stderr to end after the process did. */
export const STDERR_GRACE_MS = 100;

export interface SshHandlers {
  /** its exit status, once, after its stderr lines (when they are read) */
  onEnd: (end: SshEnd) => void;
  /** a failure to start: there is no child; `errno` names the system's reason when there is one ("EMFILE") */
  onError: (message: string, errno: string | null) => void;
  /** read ssh's stderr: each line, until its end is told; null leaves stderr to ssh itself */
  onStderrLine?: ((line: string) => void) | null;
  /** where ssh's stderr bytes go on to when read; our stderr by default */
  stderrSink?: ByteSink;
}

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

/** The errno name Node gives a system error ("EMFILE"), or null. */
function errnoOf(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : null;
}

export class SshChild {
  private child: ChildProcess | null = null;
  /** the current ssh's process has exited (its end may still wait for its stderr) */
  private processExited = false;

  /** Start ssh; `onEnd` gets its exit status once, `onError` a failure to start. */
  start(argv: string[], handlers: SshHandlers): void {
    const { onEnd, onError } = handlers;
    const resolved = resolveExecutable(argv[0]!);
    if ('error' in resolved) {
      queueMicrotask(() => onError(resolved.error, null));
      return;
    }
    const plan = parentBoundExec(resolved.path, argv.slice(1), process.env, process.pid, argv[0]!);
    const onLine = handlers.onStderrLine ?? null;
    let child: ChildProcess;
    try {
      child = spawn(plan.file, plan.args, {
        argv0: plan.argv0,
        stdio: ['inherit', 'inherit', onLine ? 'pipe' : 'inherit'],
        env: plan.env,
      });
    } catch (error) {
      // Node refuses some command lines before any fork (a NUL byte; E2BIG: too long for exec):
      // no child exists, as when exec fails, and that is what the machine hears (D7)
      const message = error instanceof Error ? error.message : String(error);
      queueMicrotask(() => onError(message, errnoOf(error)));
      return;
    }
    this.child = child;
    this.processExited = false;
    let reported = false;
    const report = (tell: () => void): void => {
      if (reported) return;
      reported = true;
      if (this.child === child) this.child = null;
      tell();
    };
    // lines reach the rules only until this ssh's end is told; later bytes are only passed on
    const tellLine = (line: string): void => {
      if (!reported) onLine?.(line);
    };
    const stderr = onLine ? new SshStderr(tellLine, handlers.stderrSink ?? toOwnStderr) : null;
    let stderrEnded = stderr === null;
    let afterStderr: (() => void) | null = null;
    if (stderr && child.stderr) {
      const ended = (): void => {
        if (stderrEnded) return;
        stderrEnded = true;
        stderr.end();
        afterStderr?.();
      };
      child.stderr.on('data', (chunk: Buffer) => stderr.write(chunk));
      child.stderr.on('end', ended);
      child.stderr.on('close', ended);
      child.stderr.on('error', ended);
    }
    child.on('error', (error) => report(() => onError(error.message, errnoOf(error))));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.processExited = true;
      const end: SshEnd = signal ? { signal } : { code: code ?? 0 };
      if (stderrEnded) return report(() => onEnd(end));
      const grace = setTimeout(() => report(() => onEnd(end)), STDERR_GRACE_MS);
      afterStderr = () => {
        clearTimeout(grace);
        report(() => onEnd(end));
      };
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The current ssh's process still runs (false once it exited, even before its end is told). */
  get running(): boolean {
    return this.child !== null && !this.processExited;
  }

  signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (!this.running) return; // already gone; its end is on its way
    try {
      this.child?.kill(signal);
    } catch {
      // already gone; its end is on its way
    }
  }
}
