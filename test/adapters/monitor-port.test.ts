// D13's port pair search on real sockets: a pair is free when both ports can be bound on
// 127.0.0.1, a taken port (held by a real listener here) is passed over, and the search is bounded.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTO_PORT_ATTEMPTS, AUTO_PORT_MAX, AUTO_PORT_MIN, NoFreeMonitorPortError, pickMonitorPortPair, portIsFree, withPickedMonitorPort,
} from '../../src/adapters/monitor-port.js';

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A port in D13's range, held by a real listener on 127.0.0.1 until the test ends. */
async function holdPortInRange(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = AUTO_PORT_MIN + Math.floor(Math.random() * (AUTO_PORT_MAX - AUTO_PORT_MIN));
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ host: '127.0.0.1', port }, () => resolve(true));
    });
    if (ok) {
      held.push(server);
      return port;
    }
  }
  throw new Error('no port to hold');
}

/** A p in D13's range whose p and p+1 are free now (found without pickMonitorPortPair). */
async function freePairInRange(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = AUTO_PORT_MIN + Math.floor(Math.random() * (AUTO_PORT_MAX - AUTO_PORT_MIN));
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
  }
  throw new Error('no free pair');
}

/** Answers the given ports in turn, then the last one again and again; counts the draws. */
function scripted(ports: number[]): { randomPort: (min: number, max: number) => number; draws: () => number } {
  let i = 0;
  return { randomPort: () => ports[Math.min(i++, ports.length - 1)]!, draws: () => i };
}

describe('D13: picking a monitor port pair', () => {
  it('returns p in 32768-65534 with p and p+1 free on 127.0.0.1', async () => {
    const port = await pickMonitorPortPair();
    expect(port).toBeGreaterThanOrEqual(AUTO_PORT_MIN);
    expect(port).toBeLessThanOrEqual(AUTO_PORT_MAX);
    expect(await portIsFree(port)).toBe(true);
    expect(await portIsFree(port + 1)).toBe(true);
  });

  it('passes over a p that is taken, and a p whose p+1 is taken', async () => {
    const taken = await holdPortInRange();
    expect(await portIsFree(taken)).toBe(false);
    const free = await freePairInRange();
    const draw = scripted([taken, taken - 1, free]);
    expect(await pickMonitorPortPair({ randomPort: draw.randomPort })).toBe(free);
    expect(draw.draws()).toBe(3);
  });

  it('never hands out the same pair (or an overlapping one) twice in one process', async () => {
    const first = await pickMonitorPortPair();
    const draw = scripted([first, first + 1, first - 1, first + 2 > AUTO_PORT_MAX ? first - 2 : first + 2]);
    const second = await pickMonitorPortPair({ randomPort: draw.randomPort });
    expect(Math.abs(second - first)).toBeGreaterThanOrEqual(2);
    expect(draw.draws()).toBe(4);
  });

  it('gives up after a bounded number of tries, saying what to do instead', async () => {
    const taken = await holdPortInRange();
    const draw = scripted([taken]);
    const error = await pickMonitorPortPair({ randomPort: draw.randomPort }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoFreeMonitorPortError);
    expect((error as Error).message).toBe(
      `no free monitor port pair in 32768-65535 after ${AUTO_PORT_ATTEMPTS} tries (no -M and no AUTOSSH_PORT); give one with -M PORT, or -M 0 to turn monitoring off`,
    );
    expect(draw.draws()).toBe(AUTO_PORT_ATTEMPTS);
  });

  it('ignores draws outside the range (p+1 must be a port)', async () => {
    const draw = scripted([65535, 1024]);
    await expect(pickMonitorPortPair({ randomPort: draw.randomPort, attempts: 5 })).rejects.toThrow(NoFreeMonitorPortError);
  });

  it('sets AUTOSSH_PORT in a copy of the environment, as Debian\'s wrapper exports it', async () => {
    const env = { AUTOSSH_PATH: '/usr/bin/ssh' };
    const picked = await withPickedMonitorPort(env);
    expect(Number(picked.AUTOSSH_PORT)).toBeGreaterThanOrEqual(AUTO_PORT_MIN);
    expect(picked.AUTOSSH_PATH).toBe('/usr/bin/ssh');
    expect(env).not.toHaveProperty('AUTOSSH_PORT');
  });
});
