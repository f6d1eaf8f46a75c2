// A TCP echo server: the far end of the tunnel's `-L` forward (and the echo service of autossh's
// `-M wp:ep` form). Every line sent through the tunnel comes back unchanged. On loopback it runs
// in this process; inside a network namespace it runs as a tiny separate node process, because a
// socket cannot be moved into another namespace after the fact.
import { createServer, type Socket } from 'node:net';
import { startNodeInNetns } from './netns-node.js';

export interface EchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

export interface EchoServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) lets the kernel choose. */
  port?: number;
  /** Run inside this network namespace (then host should be an address in it, or loopback). */
  netns?: string;
}

export function startEchoServer(opts: EchoServerOptions = {}): Promise<EchoServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  return opts.netns === undefined ? startHere(host, port) : startInNetns(opts.netns, host, port);
}

function startHere(host: string, wantedPort: number): Promise<EchoServer> {
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

// Runs as `node -e SCRIPT HOST PORT`: prints the bound port, then one line per accepted
// connection (so connections() counts as the in-process server does), and echoes forever.
const NETNS_ECHO_SCRIPT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const server = net.createServer((s) => { console.log('accepted'); s.on('error', () => {}); s.pipe(s); });
server.on('error', (e) => { console.error(e.message); process.exit(1); });
server.listen(Number(port), host, () => console.log(server.address().port));
`;

async function startInNetns(netns: string, host: string, wantedPort: number): Promise<EchoServer> {
  let accepted = 0;
  const node = await startNodeInNetns(netns, NETNS_ECHO_SCRIPT, [host, String(wantedPort)], `echo server in ${netns}`, () => accepted++);
  return { host, port: Number(node.ready), connections: () => accepted, stop: node.stop };
}
