// The world a chaos run's tunnels go through, built in the order that fails cheapest first:
// Toxiproxy (a bad TOXIPROXY_URL needs nothing else started), the ssh server, the echo service at
// the forward's far end, then one proxy per supervisor in front of the server.
import { startToxiproxyServer } from '../toxiproxy/index.js';
import { startEchoServer } from '../world/echo-server.js';
import { ToxiproxyClient } from './toxiproxy-client.js';
import { startSshServer, type SshServer, type Target } from './ssh-server.js';
import type { RunClock } from './run-clock.js';
import type { Teardown } from './teardown.js';

export interface ChaosProxy {
  name: string;
  /** Where the proxy listens on 127.0.0.1: the port the supervisor's ssh connects to. */
  port: number;
}

export interface ChaosWorld {
  toxiproxy: { client: ToxiproxyClient; url: string; embedded: boolean };
  server: SshServer;
  echoPort: number;
  /** One per supervisor, in the order of the run's supervisors. */
  proxies: ChaosProxy[];
}

export interface WorldPlan {
  /** An external Toxiproxy; undefined: the embedded server. */
  toxiproxyUrl: string | undefined;
  target: Target | undefined;
  proxyCount: number;
}

export async function buildWorld(plan: WorldPlan, clock: RunClock, teardown: Teardown, event: (line: string) => void): Promise<ChaosWorld> {
  const toxiproxy = await startToxiproxy(plan.toxiproxyUrl, teardown, event);
  clock.checkAbort();
  const server = await startSshServer(plan.target, teardown, event);
  clock.checkAbort();
  const echo = await startEchoServer();
  teardown.defer(() => echo.stop());
  const proxies = await createProxies(toxiproxy.client, plan.proxyCount, `${server.host}:${server.port}`, teardown);
  return { toxiproxy, server, echoPort: echo.port, proxies };
}

async function startToxiproxy(url: string | undefined, teardown: Teardown, event: (line: string) => void): Promise<ChaosWorld['toxiproxy']> {
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

async function createProxies(toxiproxy: ToxiproxyClient, count: number, upstream: string, teardown: Teardown): Promise<ChaosProxy[]> {
  const proxies: ChaosProxy[] = [];
  for (let i = 0; i < count; i++) {
    // The pid keeps runs sharing an external Toxiproxy apart.
    const name = `autossh-lab-chaos-${process.pid}-${i + 1}`;
    const info = await toxiproxy.createProxy(name, '127.0.0.1:0', upstream);
    teardown.defer(() => toxiproxy.deleteProxy(name).catch(() => {}));
    proxies.push({ name, port: Number(info.listen.slice(info.listen.lastIndexOf(':') + 1)) });
  }
  return proxies;
}
