// A TCP relay inside a network namespace: each of its listeners (on `listenHost`, a port each)
// passes every connection on to one port on the namespace's own loopback. A chaos run's canary
// reaches a `-R` forward this way: the forward listens on the server's loopback, so the
// connection to it must start inside the server's namespace. When the far side refuses or drops
// the connection, the relay drops the near one too, so the canary sees what a local client would.
import { startNodeInNetns } from './netns-node.js';

export interface TcpRelay {
  /** Listening ports, in the order of the targets. */
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

// Runs as `node -e SCRIPT LISTENHOST TARGET...`: prints the bound ports on one line, then relays.
const RELAY_SCRIPT = `
const net = require('node:net');
const [host, ...targets] = process.argv.slice(1);
const ports = [];
let pending = targets.length;
for (const [i, target] of targets.entries()) {
  const server = net.createServer((near) => {
    const far = net.connect({ host: '127.0.0.1', port: Number(target) });
    near.setNoDelay(true); far.setNoDelay(true);
    near.on('error', () => far.destroy()); far.on('error', () => near.destroy());
    near.on('close', () => far.destroy()); far.on('close', () => near.destroy());
    near.pipe(far); far.pipe(near);
  });
  server.on('error', (e) => { console.error(e.message); process.exit(1); });
  server.listen(0, host, () => { ports[i] = server.address().port; if (--pending === 0) console.log(ports.join(' ')); });
}
`;

/** Starts the relay in `netns`; one listener on `listenHost` per target port on the namespace's 127.0.0.1. */
export async function startTcpRelay(netns: string, listenHost: string, targetPorts: readonly number[]): Promise<TcpRelay> {
  if (targetPorts.length === 0) throw new Error('a relay needs at least one target port');
  const node = await startNodeInNetns(netns, RELAY_SCRIPT, [listenHost, ...targetPorts.map(String)], `relay in ${netns}`);
  return { ports: node.ready.split(' ').map(Number), stop: node.stop };
}
