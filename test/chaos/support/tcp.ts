// Loopback TCP servers and a client that records what arrives and when, for the Toxiproxy API tests.
import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

export interface TcpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A loopback TCP server that runs `onConnection` per client and cleans up every socket on close. */
export async function startTcpServer(onConnection: (socket: Socket) => void): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no TCP address');
  return {
    port: address.port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Sends `payload` to every client as soon as it connects, then closes (FIN) if asked. */
export const startSendingServer = (payload: Buffer, { end }: { end: boolean }): Promise<TcpServer> =>
  startTcpServer((socket) => {
    if (end) socket.end(payload);
    else socket.write(payload);
  });

/** A client that records what arrives and when, for assertions on bytes and timings. */
export class TcpClient {
  readonly chunks: { atMs: number; data: Buffer }[] = [];
  readonly startedAtMs = performance.now();
  endedAtMs: number | undefined;
  closedAtMs: number | undefined;
  errorCode: string | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.chunks.push({ atMs: performance.now(), data });
      this.wake();
    });
    socket.on('end', () => {
      this.endedAtMs = performance.now();
      this.wake();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.errorCode = error.code;
    });
    socket.on('close', () => {
      this.closedAtMs = performance.now();
      this.wake();
    });
  }

  static async connect(port: number): Promise<TcpClient> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new TcpClient(socket);
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks.map((chunk) => chunk.data));
  }

  get closed(): boolean {
    return this.closedAtMs !== undefined;
  }

  /** Resolves true when `condition` holds, false after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leftMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  waitForBytes(byteCount: number, timeoutMs: number): Promise<boolean> {
    return this.until(() => this.received.length >= byteCount, timeoutMs);
  }

  waitForClose(timeoutMs: number): Promise<boolean> {
    return this.until(() => this.closed, timeoutMs);
  }

  /** Writes `payload` and returns the ms until as many more bytes have come back (echo upstream). */
  async roundTripMs(payload: string, timeoutMs = 5000): Promise<number> {
    const expected = this.received.length + Buffer.byteLength(payload);
    const sentAtMs = performance.now();
    this.socket.write(payload);
    if (!(await this.waitForBytes(expected, timeoutMs))) {
      throw new Error(`no echo of ${JSON.stringify(payload)} within ${timeoutMs} ms`);
    }
    return this.chunks[this.chunks.length - 1]!.atMs - sentAtMs;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Whether connecting to `port` is refused (nothing listens there). */
export async function connectionRefused(port: number): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}
