// The world a chaos run's tunnels go through. Two kinds, chosen by the schedule's steps (each
// fault kind names the one it needs):
// - Toxiproxy's: the ssh server on loopback (the lab's own sshd, or --target) behind one Toxiproxy
//   proxy per supervisor; faults are toxics on those proxies. Built in the order that fails
//   cheapest first: Toxiproxy (a bad TOXIPROXY_URL needs nothing else started), the ssh server,
//   the echo service at the forward's far end, then the proxies.
// - The network namespace's: the lab's sshd and the echo service at the far end of a -L forward
//   in a namespace of their own, joined to the root namespace (where the lab, the supervisors and
//   their ssh stay) by a veth pair on a private /30. The supervisors' ssh connect to the sshd's
//   veth address directly; faults are nftables rules in the server's namespace, or the link.
// Either way, everything built is undone by the run's Teardown.
import { startToxiproxyServer } from '../toxiproxy/index.js';
import { startEchoServer } from '../world/echo-server.js';
import { createServerNetns, type ServerNetns } from '../world/netns.js';
import { installFlowTracking } from '../world/flow-freeze.js';
import { getFreePort, randomNamespacePort } from '../world/ports.js';
import { startSshd } from '../world/sshd.js';
import { startTcpRelay } from '../world/tcp-relay.js';
import { ToxiproxyClient } from './toxiproxy-client.js';
import { ownSshServer, startSshServer, type SshServer, type Target } from './ssh-server.js';
import type { ForwardKind } from './schedule/types.js';
import type { WorldKind } from './faults/index.js';
import type { RunClock } from './run-clock.js';
import type { Teardown } from './teardown.js';

/** Where one supervisor's ssh connects. */
export interface TunnelEntry {
  host: string;
  port: number;
  /** The Toxiproxy proxy in between, or null (the namespace world: straight to sshd). */
  proxy: string | null;
}

/** An address a canary connects to. */
export interface CanaryAddress {
  host: string;
  port: number;
}

export interface ChaosWorld {
  kind: WorldKind;
  toxiproxy: { client: ToxiproxyClient; url: string; embedded: boolean } | undefined;
  netns: ServerNetns | undefined;
  server: SshServer;
  /** The echo service as the server sees it (on its loopback): a -L forward's far end, `-M echo`'s. */
  echoPort: number;
  /** The echo service on our side (127.0.0.1): a -R forward's far end. */
  clientEchoPort: number;
  /** One per supervisor, in the order of the run's supervisors. */
  entries: TunnelEntry[];
  /** A port for a -R forward to listen on, on the server's loopback (distinct on each call). */
  remotePort(): Promise<number>;
  /** How canaries reach these ports on the server's loopback (-R listeners), in the same order. */
  canariesForRemotePorts(ports: readonly number[]): Promise<CanaryAddress[]>;
}

export interface WorldPlan {
  kind: WorldKind;
  /** An external Toxiproxy; undefined: the embedded server. */
  toxiproxyUrl: string | undefined;
  target: Target | undefined;
  supervisorCount: number;
  forward: ForwardKind;
}

export function buildWorld(plan: WorldPlan, clock: RunClock, teardown: Teardown, event: (line: string) => void): Promise<ChaosWorld> {
  return plan.kind === 'netns' ? buildNetnsWorld(plan, clock, teardown, event) : buildToxiproxyWorld(plan, clock, teardown, event);
}

/** What only the chosen world can do, checked before anything starts. */
export function checkWorldPlan(plan: { kind: WorldKind; target: Target | undefined; echoAddress: string | undefined; forward: ForwardKind }): void {
  if (plan.kind === 'netns') {
    if (plan.target !== undefined) throw new Error('this schedule runs the lab\'s own sshd in a network namespace: --target cannot be used with it');
    if (plan.echoAddress !== undefined) throw new Error('this schedule runs the lab\'s own echo service in the server\'s namespace: --echo cannot be used with it');
    if (process.getuid?.() !== 0) throw new Error('this schedule needs network namespaces and nftables: run it as root');
  }
  if (plan.forward === 'remote' && plan.target !== undefined) {
    throw new Error('a -R schedule needs the lab\'s own sshd (the canary must reach the forward on the server\'s loopback): --target cannot be used with it');
  }
}

async function buildToxiproxyWorld(plan: WorldPlan, clock: RunClock, teardown: Teardown, event: (line: string) => void): Promise<ChaosWorld> {
  const toxiproxy = await startToxiproxy(plan.toxiproxyUrl, teardown, event);
  clock.checkAbort();
  const server = await startSshServer(plan.target, teardown, event);
  clock.checkAbort();
  const echo = await startEchoServer();
  teardown.defer(() => echo.stop());
  const proxies = await createProxies(toxiproxy.client, plan.supervisorCount, `${server.host}:${server.port}`, teardown);
  return {
    kind: 'toxiproxy',
    toxiproxy,
    netns: undefined,
    server,
    // One echo service on loopback is both ends' (the lab's sshd runs on this host).
    echoPort: echo.port,
    clientEchoPort: echo.port,
    entries: proxies.map((p) => ({ host: '127.0.0.1', port: p.port, proxy: p.name })),
    remotePort: () => getFreePort(),
    // The sshd is on our loopback: a -R listener is reached directly.
    canariesForRemotePorts: async (ports) => ports.map((port) => ({ host: '127.0.0.1', port })),
  };
}

async function buildNetnsWorld(plan: WorldPlan, clock: RunClock, teardown: Teardown, event: (line: string) => void): Promise<ChaosWorld> {
  const netns = await createServerNetns();
  teardown.defer(() => netns.destroy());
  event(`network namespace ${netns.ns}: ${netns.serverAddr}, reached over ${netns.rootDev} (${netns.rootAddr}, ${netns.subnet})`);
  // Before any flow opens: conntrack must track every flow a flow-freeze may hit.
  await installFlowTracking(netns);
  clock.checkAbort();
  const sshd = await startSshd({ netns: netns.ns, listenAddress: netns.serverAddr });
  teardown.defer(() => sshd.stop());
  event(`sshd on ${sshd.host}:${sshd.port} in ${netns.ns}`);
  const server = ownSshServer(sshd);
  const echo = await startEchoServer({ netns: netns.ns });
  teardown.defer(() => echo.stop());
  let clientEchoPort = echo.port;
  if (plan.forward === 'remote') {
    const clientEcho = await startEchoServer();
    teardown.defer(() => clientEcho.stop());
    clientEchoPort = clientEcho.port;
  }
  const taken = new Set<number>([sshd.port, sshd.port + 1, echo.port]);
  return {
    kind: 'netns',
    toxiproxy: undefined,
    netns,
    server,
    echoPort: echo.port,
    clientEchoPort,
    entries: Array.from({ length: plan.supervisorCount }, () => ({ host: netns.serverAddr, port: sshd.port, proxy: null })),
    async remotePort() {
      let port = randomNamespacePort();
      while (taken.has(port) || taken.has(port + 1)) port = randomNamespacePort();
      taken.add(port);
      return port;
    },
    // A -R listener is on the server's loopback, inside its namespace: a relay there lets the
    // canaries in, over the veth and not over the ssh port (which the faults hit).
    async canariesForRemotePorts(ports) {
      if (ports.length === 0) return [];
      const relay = await startTcpRelay(netns.ns, netns.serverAddr, ports);
      teardown.defer(() => relay.stop());
      return relay.ports.map((port) => ({ host: netns.serverAddr, port }));
    },
  };
}

async function startToxiproxy(url: string | undefined, teardown: Teardown, event: (line: string) => void): Promise<NonNullable<ChaosWorld['toxiproxy']>> {
  const embedded = url === undefined;
  if (url === undefined) {
    const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    teardown.defer(() => server.close());
    url = server.url;
  }
  const client = new ToxiproxyClient(url);
  const version = await client.version();
  event(`toxiproxy ${version} at ${url}${embedded ? ' (embedded)' : ''}`);
  return { client, url, embedded };
}

async function createProxies(toxiproxy: ToxiproxyClient, count: number, upstream: string, teardown: Teardown): Promise<Array<{ name: string; port: number }>> {
  const proxies: Array<{ name: string; port: number }> = [];
  for (let i = 0; i < count; i++) {
    // The pid keeps runs sharing an external Toxiproxy apart.
    const name = `autossh-lab-chaos-${process.pid}-${i + 1}`;
    const info = await toxiproxy.createProxy(name, '127.0.0.1:0', upstream);
    teardown.defer(() => toxiproxy.deleteProxy(name).catch(() => {}));
    proxies.push({ name, port: Number(info.listen.slice(info.listen.lastIndexOf(':') + 1)) });
  }
  return proxies;
}
