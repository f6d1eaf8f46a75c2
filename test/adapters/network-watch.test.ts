// D11's watcher on a real network: it runs (the built dist/ file) in a process inside a network
// namespace of its own, joined to a second one by a veth pair, and the test takes the link down
// and up there. A link coming back, a default route appearing, are told within one poll period;
// a link going down is not news; a burst is told once. Needs root, iproute2 and `npm run build`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BURST_QUIET_MS, cameBack, NETWORK_POLL_MS, type NetworkState } from '../../src/adapters/network-watch.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { createNetnsPair, type NetnsPair } from '../../lab/world/netns.js';

const execFileAsync = promisify(execFile);
const WATCH_MODULE = fileURLToPath(new URL('../../dist/src/adapters/network-watch.js', import.meta.url));
/** Measured ≈ NETWORK_POLL_MS at worst (a change just after a look); bounded with room for a busy machine. */
const DETECT_WITHIN_MS = NETWORK_POLL_MS + 500;
/** Long enough for several looks and for a burst to be over. */
const QUIET_MS = BURST_QUIET_MS + 2 * NETWORK_POLL_MS;

describe('cameBack', () => {
  const state = (links: Record<string, [boolean, number]>, addresses: string[] = [], routes: string[] = []): NetworkState => ({
    links: new Map(Object.entries(links).map(([name, [up, carrierUps]]) => [name, { up, carrierUps }])),
    addresses: new Set(addresses),
    defaultRoutes: new Set(routes),
  });

  it('tells links up, addresses and default routes that appeared, nothing that went', () => {
    const down = state({ eth0: [false, 1] });
    const up = state({ eth0: [true, 2], wlan0: [true, 1] }, ['10.0.0.2 on eth0'], ['IPv4 via eth0']);
    expect(cameBack(down, up)).toEqual(['link eth0 up', 'link wlan0 up', 'address 10.0.0.2 on eth0', 'default route IPv4 via eth0']);
    expect(cameBack(up, down)).toEqual([]);
    expect(cameBack(up, up)).toEqual([]);
    // down and up again between two looks: only its carrier count shows it
    expect(cameBack(state({ eth0: [true, 1] }), state({ eth0: [true, 2] }))).toEqual(['link eth0 down and up again']);
    // a link that appears down is no news
    expect(cameBack(state({}), state({ tun0: [false, 0] }))).toEqual([]);
  });
});

interface Watcher {
  child: ChildProcess;
  /** each change told: when (Date.now() in the watcher) and what */
  changes: Array<{ at: number; detail: string }>;
  /** CPU per look, read at the end */
  stop(): Promise<{ looks: number; cpuMicrosPerLook: number }>;
}

/** The watcher in a node process inside `netns` (ip netns exec also gives it that namespace's /sys). */
async function watchIn(netns: string): Promise<Watcher> {
  const script = `
    import { NetworkWatch, readNetworkState } from ${JSON.stringify(WATCH_MODULE)};
    let looks = 0, cpu = 0;
    const read = () => {
      const before = process.cpuUsage();
      const state = readNetworkState();
      const used = process.cpuUsage(before);
      cpu += used.user + used.system;
      looks++;
      return state;
    };
    const watch = new NetworkWatch((detail) => console.log(JSON.stringify({ at: Date.now(), detail })), { read });
    watch.start();
    console.log(JSON.stringify({ ready: true }));
    process.stdin.on('data', () => {
      watch.stop();
      console.log(JSON.stringify({ looks, cpuMicrosPerLook: cpu / looks }));
      process.exit(0);
    });
  `;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const changes: Watcher['changes'] = [];
  let ready = false;
  let cost: { looks: number; cpuMicrosPerLook: number } | undefined;
  let errors = '';
  let pending = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const message = JSON.parse(line) as { ready?: true; at?: number; detail?: string; looks?: number; cpuMicrosPerLook?: number };
      if (message.ready) ready = true;
      else if (message.detail !== undefined) changes.push({ at: message.at!, detail: message.detail });
      else if (message.looks !== undefined) cost = { looks: message.looks, cpuMicrosPerLook: message.cpuMicrosPerLook! };
    }
  });
  await waitFor(() => ready, { timeoutMs: 10_000, what: `the watcher in ${netns} to start`, abortIf: () => (child.exitCode !== null ? errors : undefined) });
  return {
    child,
    changes,
    async stop() {
      child.stdin!.write('stop\n');
      return waitFor(() => cost, { timeoutMs: 5_000, what: 'the watcher to report its cost' });
    },
  };
}

async function ipIn(netns: string, ...args: string[]): Promise<number> {
  const at = Date.now();
  await execFileAsync('ip', ['-n', netns, ...args]);
  return at;
}

describe('NetworkWatch in a network namespace', { timeout: 60_000 }, () => {
  let net: NetnsPair | undefined;
  let watcher: Watcher | undefined;

  beforeAll(async () => {
    net = await createNetnsPair();
  });

  afterAll(async () => {
    watcher?.child.kill('SIGKILL');
    await net?.destroy();
  });

  /** The change told after `since`, within DETECT_WITHIN_MS; its latency. */
  async function toldAfter(since: number, what: string): Promise<{ detail: string; latencyMs: number }> {
    const change = await waitFor(() => watcher!.changes.find((c) => c.at >= since), {
      timeoutMs: DETECT_WITHIN_MS,
      intervalMs: 10,
      what,
    });
    return { detail: change.detail, latencyMs: change.at - since };
  }

  it('tells a link coming back, once per burst, and nothing while it only goes down', async () => {
    watcher = await watchIn(net!.clientNs);
    const latencies: number[] = [];

    // our end down: not news
    await net!.linkDown('client');
    await sleep(QUIET_MS);
    expect(watcher.changes).toEqual([]);

    // our end up, and a default route two looks later: one burst, told once, at its first sign
    const upAt = await ipIn(net!.clientNs, 'link', 'set', 'veth-c', 'up');
    const up = await toldAfter(upAt, 'the link coming up to be told');
    expect(up.detail).toMatch(/link veth-c up/);
    latencies.push(up.latencyMs);
    await sleep(2 * NETWORK_POLL_MS);
    await ipIn(net!.clientNs, 'route', 'add', 'default', 'via', net!.serverAddr);
    await sleep(QUIET_MS);
    expect(watcher.changes.map((c) => c.detail)).toEqual([up.detail]);

    // the far end down: our link loses its carrier; still not news
    await net!.linkDown('server');
    await sleep(QUIET_MS);
    expect(watcher.changes).toHaveLength(1);

    // the far end up: our carrier is back
    const carrierAt = await ipIn(net!.serverNs, 'link', 'set', 'veth-s', 'up');
    const carrier = await toldAfter(carrierAt, 'the carrier coming back to be told');
    expect(carrier.detail).toMatch(/link veth-c up/);
    latencies.push(carrier.latencyMs);
    await sleep(QUIET_MS);

    // the default route going away is not news; coming back, it is
    await ipIn(net!.clientNs, 'route', 'del', 'default');
    await sleep(QUIET_MS);
    expect(watcher.changes).toHaveLength(2);
    const routeAt = await ipIn(net!.clientNs, 'route', 'add', 'default', 'via', net!.serverAddr);
    const route = await toldAfter(routeAt, 'the default route to be told');
    expect(route.detail).toBe('default route IPv4 via veth-c');
    latencies.push(route.latencyMs);
    await sleep(QUIET_MS);
    expect(watcher.changes).toHaveLength(3);

    const { looks, cpuMicrosPerLook } = await watcher.stop();
    console.info(
      `NetworkWatch: told after ${latencies.join(', ')} ms (poll ${NETWORK_POLL_MS} ms); ` +
        `${looks} looks, ${cpuMicrosPerLook.toFixed(0)} µs of CPU each (${((cpuMicrosPerLook / 1000 / NETWORK_POLL_MS) * 100).toFixed(2)}% of a core)`,
    );
    for (const latency of latencies) expect(latency).toBeLessThan(DETECT_WITHIN_MS);
  });

  it('tells a link that went down and up again between two looks', async () => {
    watcher = await watchIn(net!.clientNs);
    await sleep(NETWORK_POLL_MS);
    const flapAt = Date.now();
    await execFileAsync('sh', ['-c', `ip -n ${net!.serverNs} link set veth-s down && ip -n ${net!.serverNs} link set veth-s up`]);
    const flap = await toldAfter(flapAt, 'the flap to be told');
    // "down and up again" when both sides fell between looks, "up" when a look saw it down
    expect(flap.detail).toMatch(/link veth-c (up|down and up again)/);
    await watcher.stop();
  });
});
