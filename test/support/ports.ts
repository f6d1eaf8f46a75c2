// Port choice for test servers and forwards. A port found free can be taken by someone else before
// we bind it (other test files run in parallel), so callers that bind it themselves retry on
// EADDRINUSE; these helpers only make a collision unlikely.
export { getFreePort } from '../../src/chaos/world/ports.js';

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
