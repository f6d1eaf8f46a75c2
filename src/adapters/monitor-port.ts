// D13: a monitor port pair for a tunnel given neither -M nor AUTOSSH_PORT, as Debian's
// /usr/bin/autossh picks one (p and p+1, p random in 32768-65534). Debian's wrapper reads
// /proc/net/tcp; we bind 127.0.0.1:p and 127.0.0.1:p+1 instead, so a port held by anything
// (listening, or bound without listening, in any namespace's view /proc would not show) counts
// as taken. The ports are released again before ssh and the supervisor bind them: the window
// is the few milliseconds between, and this process never hands out the same pair twice.
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { MONITOR_HOST } from '../machine/config/ssh-argv.js';

/** Debian's wrapper: `randport | 0x8000`, so 32768 and up; p+1 must still be a port. */
export const AUTO_PORT_MIN = 32768;
export const AUTO_PORT_MAX = 65534;
/** Debian's wrapper tries 42 random ports too. */
export const AUTO_PORT_ATTEMPTS = 42;
/** pairs handed out by this process (the daemon asks once per tunnel), oldest forgotten first */
const HANDED_OUT_LIMIT = 4096;
const handedOut = new Set<number>();

export interface PickOptions {
  attempts?: number;
  /** a random p in [min, max]; tests pass their own to aim at a taken port */
  randomPort?: (min: number, max: number) => number;
}

/** Why no pair was found, said so that the user knows what to do instead. */
export class NoFreeMonitorPortError extends Error {
  constructor(attempts: number) {
    super(
      `no free monitor port pair in ${AUTO_PORT_MIN}-${AUTO_PORT_MAX + 1} after ${attempts} tries ` +
        `(no -M and no AUTOSSH_PORT); give one with -M PORT, or -M 0 to turn monitoring off`,
    );
    this.name = 'NoFreeMonitorPortError';
  }
}

/** Whether 127.0.0.1:port can be bound now (it is released again before this resolves). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: MONITOR_HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A p whose p and p+1 are both free on 127.0.0.1; NoFreeMonitorPortError after `attempts` tries. */
export async function pickMonitorPortPair(options: PickOptions = {}): Promise<number> {
  const attempts = options.attempts ?? AUTO_PORT_ATTEMPTS;
  const randomPort = options.randomPort ?? ((min: number, max: number) => randomInt(min, max + 1));
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = randomPort(AUTO_PORT_MIN, AUTO_PORT_MAX);
    if (port < AUTO_PORT_MIN || port > AUTO_PORT_MAX) continue;
    if (handedOut.has(port) || handedOut.has(port + 1) || handedOut.has(port - 1)) continue;
    if (!(await portIsFree(port)) || !(await portIsFree(port + 1))) continue;
    remember(port);
    return port;
  }
  throw new NoFreeMonitorPortError(attempts);
}

function remember(port: number): void {
  if (handedOut.size >= HANDED_OUT_LIMIT) handedOut.delete(handedOut.values().next().value!);
  handedOut.add(port);
}

/**
 * The environment a command line runs with once D13 picked its pair: AUTOSSH_PORT set, as
 * Debian's wrapper exports it (so ssh and a `-f` daemon see it too). For the drop-in and for
 * each of the daemon's tunnels: parse, and on `needsMonitorPort` call this and parse again.
 */
export async function withPickedMonitorPort<E extends Record<string, string | undefined>>(env: E, options: PickOptions = {}): Promise<E & { AUTOSSH_PORT: string }> {
  return { ...env, AUTOSSH_PORT: String(await pickMonitorPortPair(options)) };
}
