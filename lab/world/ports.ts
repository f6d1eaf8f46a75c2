// Port choice for test servers and forwards. A port found free can be taken by someone else before
// we bind it (other test files run in parallel), so callers that bind it themselves retry on
// EADDRINUSE; these helpers only make a collision unlikely.
import { createServer } from 'node:net';

/** A port the kernel considers free on `host` right now (bind port 0, read it, close). */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}

/**
 * A random high port for use inside a fresh network namespace, where nothing else listens.
 * Stays below the ephemeral range (32768+) so outgoing connections never hold it, and leaves
 * room for port+1 (autossh's loop monitor uses two consecutive ports).
 */
export function randomNamespacePort(): number {
  const low = 20_000;
  const high = 32_000;
  return low + Math.floor(Math.random() * (high - low));
}
