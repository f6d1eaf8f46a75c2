// 1.4g's connection test (conn_test) on real sockets. The loop form sends a line into the ssh
// forward on 127.0.0.1:wp and expects it back on our listener at wp+1 (the remote end forwards
// it back); the echo form expects it echoed on the same connection. A refused connect fails at
// once; a reply that is not what we sent fails. How long it waits and how often it tries are
// the rules in src/machine/decisions/connection-test.ts, which the simulated worlds share.
import { randomInt } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Monitor } from '../machine/config/types.js';
import { MONITOR_HOST } from '../machine/config/ssh-argv.js';
import { PROBE_ATTEMPTS, PROBE_FAILURES } from '../machine/decisions/connection-test.js';

export type TestResult = { ok: true } | { ok: false; reason: string };

/** The loop form's listener: bound once, for the whole run. */
export class MonitorListener {
  private server: Server | null = null;
  private testing = false;
  /** connections that came back through the tunnel before anyone waited for them */
  private arrived: Socket[] = [];
  private waiting: ((socket: Socket) => void) | null = null;

  open(port: number): Promise<string | null> {
    return new Promise((resolve) => {
      const server = createServer((socket) => {
        socket.on('error', () => {});
        if (!this.testing) {
          socket.destroy(); // nobody asked: a stray or late connection
          return;
        }
        const waiting = this.waiting;
        this.waiting = null;
        if (waiting) waiting(socket);
        else this.arrived.push(socket);
      });
      server.once('error', (error: NodeJS.ErrnoException) => resolve(errorText(error)));
      server.listen({ host: MONITOR_HOST, port, exclusive: true, backlog: 1 }, () => {
        this.server = server;
        resolve(null);
      });
    });
  }

  /** From now until endTest, connections are kept for accept(): the reply may beat us to it. */
  beginTest(): void {
    this.testing = true;
  }

  endTest(): void {
    this.testing = false;
    this.waiting = null;
    for (const socket of this.arrived) socket.destroy();
    this.arrived = [];
  }

  /** The next connection, or null after timeoutMs. */
  accept(timeoutMs: number, signal: AbortSignal): Promise<Socket | null> {
    const early = this.arrived.shift();
    if (early) return Promise.resolve(early);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve(null);
      }, timeoutMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.waiting = null;
        resolve(null);
      });
      this.waiting = (socket) => {
        clearTimeout(timer);
        resolve(socket);
      };
    });
  }

  close(): void {
    this.endTest();
    this.server?.close();
    this.server = null;
  }
}

function errorText(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE': return 'Address already in use';
    case 'EACCES': return 'Permission denied';
    case 'ECONNREFUSED': return 'Connection refused';
    default: return error.message;
  }
}

function connectTo(port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket | string> {
  return new Promise((resolve) => {
    const socket = connect({ host: MONITOR_HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('connect timed out');
    }, timeoutMs);
    const abort = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve('cancelled');
    };
    signal.addEventListener('abort', abort);
    socket.once('connect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(errorText(error));
    });
  });
}

/** Read until `length` bytes or EOF; null when nothing new came for timeoutMs. */
function readReply(socket: Socket, length: number, timeoutMs: number, signal: AbortSignal): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let timer = setTimeout(() => done(null), timeoutMs);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      clearTimeout(timer);
      if (received >= length) done(Buffer.concat(chunks));
      else timer = setTimeout(() => done(null), timeoutMs);
    };
    const onEnd = (): void => done(Buffer.concat(chunks));
    const onAbort = (): void => done(null);
    function done(result: Buffer | null): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    }
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    signal.addEventListener('abort', onAbort);
  });
}

export interface TestRequest {
  monitor: Monitor;
  netTimeoutMs: number;
  /** AUTOSSH_MESSAGE: the end of the payload */
  testMessage: string;
  progName: string;
}

export async function runConnectionTest(
  request: TestRequest,
  listener: MonitorListener | null,
  signal: AbortSignal,
): Promise<TestResult> {
  const { monitor, netTimeoutMs } = request;
  const id = randomInt(0, 2 ** 31 - 1);
  listener?.beginTest();
  const payload = Buffer.from(`${hostname()} ${request.progName} ${process.pid} ${id} ${request.testMessage}\r\n`);
  const writeSide = await connectTo(monitor.writePort, netTimeoutMs, signal);
  if (typeof writeSide === 'string') {
    listener?.endTest();
    return { ok: false, reason: `${MONITOR_HOST}:${monitor.writePort}: ${writeSide}` };
  }
  writeSide.on('error', () => {});
  const readSides: Socket[] = [];
  try {
    let reason = 'no reply';
    for (let attempt = 1; attempt <= PROBE_ATTEMPTS; attempt++) {
      if (signal.aborted) return { ok: false, reason: 'cancelled' };
      let readSide = writeSide;
      if (monitor.form === 'loop') {
        if (!listener) return { ok: false, reason: 'no listener' };
        const accepted = await listener.accept(netTimeoutMs, signal);
        if (!accepted) return { ok: false, reason: PROBE_FAILURES.acceptTimedOut };
        readSides.push(accepted);
        readSide = accepted;
      }
      const replyPromise = readReply(readSide, payload.length, netTimeoutMs, signal);
      writeSide.write(payload);
      const reply = await replyPromise;
      if (reply === null) {
        reason = PROBE_FAILURES.replyTimedOut;
        continue;
      }
      if (reply.equals(payload)) return { ok: true };
      reason = `not what I sent: "${reply.toString().trim()}"`;
    }
    return { ok: false, reason };
  } finally {
    writeSide.destroy();
    for (const socket of readSides) socket.destroy();
    listener?.endTest();
  }
}
