// What systemd does with NOTIFY_SOCKET, minus systemd: a python3 AF_UNIX SOCK_DGRAM socket bound
// to a temp path (or an abstract name) that prints each datagram it receives as one JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '../../lab/world/wait.js';

const RECEIVER_PY = `
import json, socket, sys, time
address, reading = sys.argv[1], sys.argv[2] == "read"
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + address[1:] if address.startswith('@') else address)
print(json.dumps({"bound": True}), flush=True)
while not reading:
    time.sleep(60)
while True:
    data = s.recv(65536)
    print(json.dumps({"datagram": data.decode("utf-8", "replace")}), flush=True)
`;

/** Messages kept; a test that sends more has a bug of its own. */
const MAX_MESSAGES = 10_000;

export interface NotifyReceiver {
  /** what NOTIFY_SOCKET should say: a path, or `@name` */
  readonly address: string;
  /** every datagram so far, in arrival order */
  readonly messages: string[];
  /** waits until some datagram satisfies `match`, returns its index */
  waitFor(what: string, match: (message: string) => boolean, timeoutMs?: number): Promise<number>;
  /** the receiver dies; a path's socket file stays behind, with nobody listening on it */
  crash(): Promise<void>;
  /** crash() and remove the temp dir */
  stop(): Promise<void>;
}

export interface NotifyReceiverOptions {
  /** bind an abstract name (`@...`) instead of a path */
  abstract?: boolean;
  /** never read: the socket's queue fills up, as a stuck systemd's would */
  stuck?: boolean;
  /** bind this path (a socket re-created where another was) instead of one in a new temp dir */
  path?: string;
}

export async function startNotifyReceiver(opts: NotifyReceiverOptions = {}): Promise<NotifyReceiver> {
  const dir = opts.path === undefined ? mkdtempSync(join(tmpdir(), 'autossh-ts-notify-')) : null;
  const address = opts.path ?? (opts.abstract ? `@autossh-ts-test-${process.pid}-${Math.random().toString(36).slice(2)}` : join(dir!, 'notify'));
  const child: ChildProcess = spawn('python3', ['-u', '-c', RECEIVER_PY, address, opts.stuck ? 'stuck' : 'read'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: string[] = [];
  let bound = false;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const parsed = JSON.parse(line) as { bound?: true; datagram?: string };
    if (parsed.bound) bound = true;
    if (parsed.datagram !== undefined && messages.length < MAX_MESSAGES) messages.push(parsed.datagram);
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  const abortIf = (): string | undefined => (exited ? `the receiver exited: ${stderr}` : undefined);
  await waitFor(() => bound, { timeoutMs: 5_000, what: `python3 receiver bound to ${address}`, abortIf });
  const crash = async (): Promise<void> => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  };
  return {
    address,
    messages,
    async waitFor(what, match, timeoutMs = 5_000) {
      return waitFor(
        () => {
          const index = messages.findIndex(match);
          return index >= 0 ? index : undefined;
        },
        { timeoutMs, intervalMs: 10, what: `${what}; received so far: ${JSON.stringify(messages)}`, abortIf },
      );
    },
    crash,
    async stop() {
      await crash();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}
