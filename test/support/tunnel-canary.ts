// The canary: proves a tunnel carries bytes end to end. Connect to the forwarded port, send a
// unique line, expect the same line back from the echo server at the far end. (Not a "probe":
// in this project that word is autossh's own connection test.) A listening port alone proves
// nothing (ssh accepts on a -L port even when the far side is unreachable, then closes).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { inNetns } from '../../lab/world/processes.js';
import { waitFor, type WaitOptions } from '../../lab/world/wait.js';

export interface CanaryOptions {
  host?: string;
  /** Deadline for connect + round trip of one canary. */
  timeoutMs?: number;
  /** Send the canary from inside this network namespace (runs a tiny node process there). */
  netns?: string;
}

/** Sends one line through host:port; resolves with the echoed line, rejects on any failure. */
export async function canaryEcho(port: number, opts: CanaryOptions = {}): Promise<string> {
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const line = `canary-${randomBytes(6).toString('hex')}`;
  return opts.netns === undefined
    ? canaryHere(host, port, line, timeoutMs)
    : canaryInNamespace(opts.netns, host, port, line, timeoutMs);
}

function canaryHere(host: string, port: number, line: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(line);
    };
    const timer = setTimeout(
      () => finish(new Error(`no echo from ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.includes(`${line}\n`)) finish();
    });
    socket.on('error', (err) => finish(new Error(`${host}:${port}: ${err.message}`)));
    socket.on('close', () => finish(new Error(`${host}:${port} closed before echoing`)));
  });
}

// Runs as `node -e SCRIPT HOST PORT LINE TIMEOUT_MS`; exit 0 only if LINE came back.
const CANARY_SCRIPT = `
const net = require('node:net');
const [host, port, line, timeoutMs] = process.argv.slice(1);
const fail = (why) => { console.error(why); process.exit(1); };
setTimeout(() => fail('no echo within ' + timeoutMs + ' ms'), Number(timeoutMs));
const s = net.connect({ host, port: Number(port) }, () => s.write(line + '\\n'));
let got = '';
s.on('data', (c) => { got += c; if (got.includes(line + '\\n')) process.exit(0); });
s.on('error', (e) => fail(e.message));
s.on('close', () => fail('closed before echoing'));
`;

function canaryInNamespace(
  netns: string,
  host: string,
  port: number,
  line: string,
  timeoutMs: number,
): Promise<string> {
  const argv = inNetns(netns, [
    process.execPath, '-e', CANARY_SCRIPT, host, String(port), line, String(timeoutMs),
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Node's own start-up counts against nothing inside the script; bound the whole process too.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(line);
      else reject(new Error(`${host}:${port} in ${netns}: ${stderr.trim() || `exit ${code}`}`));
    });
  });
}

/**
 * Sends canaries until one round trip succeeds. `abortIf` (e.g. the supervisor's exitReason) makes a
 * dead supervisor fail the wait at once.
 */
export function waitUntilTunnelWorks(
  port: number,
  timeoutMs: number,
  opts: CanaryOptions & Pick<WaitOptions, 'abortIf' | 'intervalMs'> = {},
): Promise<string> {
  const host = opts.host ?? '127.0.0.1';
  return waitFor(() => canaryEcho(port, { ...opts, timeoutMs: opts.timeoutMs ?? 1_000 }), {
    timeoutMs,
    intervalMs: opts.intervalMs ?? 100,
    what: `an echo through the tunnel at ${host}:${port}${opts.netns ? ` in ${opts.netns}` : ''}`,
    abortIf: opts.abortIf,
  });
}
