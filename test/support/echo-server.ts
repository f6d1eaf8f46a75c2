// A TCP echo server: the far end of the tunnels under test, and the "echo service" autossh's
// `-M wp:ep` form expects. In this process on loopback (the chaos world's server), or, inside a
// network namespace, as a tiny separate node process (a socket cannot be moved into another
// namespace after the fact).
import { spawn } from 'node:child_process';
import { startEchoServer as startInProcess } from '../../lab/world/echo-server.js';
import { inNetns, waitForExit } from '../../lab/world/processes.js';

/** Bounds the wait for the namespaced echo process to report its port. */
const START_TIMEOUT_MS = 10_000;

export interface EchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far (in-process server only; undefined inside a namespace). */
  connections(): number | undefined;
  stop(): Promise<void>;
}

export interface EchoServerOptions {
  host?: string;
  /** 0 (default) lets the kernel choose. */
  port?: number;
  netns?: string;
}

// Runs as `node -e SCRIPT HOST PORT`; prints the bound port on stdout, then echoes forever.
const ECHO_SCRIPT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const server = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); });
server.on('error', (e) => { console.error(e.message); process.exit(1); });
server.listen(Number(port), host, () => console.log(server.address().port));
`;

export async function startEchoServer(opts: EchoServerOptions = {}): Promise<EchoServer> {
  const host = opts.host ?? '127.0.0.1';
  return opts.netns === undefined
    ? startInProcess(host, opts.port ?? 0)
    : startInNamespace(opts.netns, host, opts.port ?? 0);
}

function startInNamespace(netns: string, host: string, wantedPort: number): Promise<EchoServer> {
  const argv = inNetns(netns, [process.execPath, '-e', ECHO_SCRIPT, host, String(wantedPort)]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4096)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGKILL');
      await waitForExit(child.pid, 2_000);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`echo server in ${netns} did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`echo server in ${netns} exited with code ${code}: ${stderr.trim()}`));
    });
    child.stdout.once('data', (c: Buffer) => {
      clearTimeout(timer);
      resolve({ host, port: Number(c.toString().trim()), connections: () => undefined, stop });
    });
  });
}
