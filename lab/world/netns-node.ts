// A small node script run inside a network namespace (`ip netns exec NS node -e SCRIPT ...`): a
// socket cannot be moved into another namespace after the fact, so whatever must listen or connect
// from inside one runs as its own process. The script reports on stdout, one line at a time; its
// first line says it is ready (e.g. the port it bound).
import { spawn } from 'node:child_process';
import { ownTree } from './owned-processes.js';
import { inNetns, waitForExit } from './processes.js';
import { OutputTail } from './output-tail.js';

/** Bounds the wait for the script's first line. */
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 2_000;
const STDERR_LIMIT_CHARS = 4096;

export interface NetnsNode {
  /** The script's first stdout line. */
  readonly ready: string;
  /** SIGKILL, then wait for it to be gone. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `script` with `args` in `netns`; resolves once it printed its first line. Every later
 * line goes to `onLine`. `what` names it in errors ("echo server in NS").
 */
export function startNodeInNetns(netns: string, script: string, args: readonly string[], what: string, onLine: (line: string) => void = () => {}): Promise<NetnsNode> {
  const argv = inNetns(netns, [process.execPath, '-e', script, ...args]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) ownTree(child.pid);
  const stderr = new OutputTail(STDERR_LIMIT_CHARS).follow(child.stderr);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGKILL');
        await waitForExit(child.pid, STOP_TIMEOUT_MS);
      }
    })());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${what} did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${code}: ${stderr.text().trim()}`));
    });
    let ready: string | undefined;
    let partial = '';
    child.stdout.on('data', (c: Buffer) => {
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (ready === undefined) {
          ready = line.trim();
          clearTimeout(timer);
          resolve({ ready, stop });
        } else {
          onLine(line);
        }
      }
    });
  });
}
