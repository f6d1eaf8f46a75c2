// A TCP echo server on loopback: the far end of the tunnel's `-L` forward (and the echo service
// of autossh's `-M wp:ep` form). Every line sent through the tunnel comes back unchanged.
import { createServer, type Socket } from 'node:net';

export interface EchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

export function startEchoServer(host = '127.0.0.1', wantedPort = 0): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A tunnel torn down by a fault resets its connections: not an error for an echo server.
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      let stopping: Promise<void> | undefined;
      resolve({
        host,
        port,
        connections: () => accepted,
        stop: () =>
          (stopping ??= new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          })),
      });
    });
  });
}
