// Private networks made of network namespaces, for the tests and for chaos runs. Everything here
// needs root and iproute2; nothing is shared with anyone else's namespaces or links.
//
// Two shapes:
// - createNetnsPair(): a "client" and a "server" namespace joined by a veth pair on a /30. Both
//   ends live in namespaces made here, so nothing (no address, no route, no interface) is added
//   to the machine's own namespace. The e2e tests use it: autossh's `-M wp` loop binds port wp on
//   the client (-L) and on the server (-R), which collide on one host.
// - createServerNetns(): one "server" namespace joined to the root namespace, where the lab and
//   its supervisors run, by a veth pair on a private /30 (the lab's chaos runs for faults that
//   Toxiproxy cannot make: flows frozen by nftables, a link going down). The /30 is on the two
//   veth ends only. Beside the link's own route the root namespace gets one fallback route,
//   `unreachable` for the /30 at a low priority: while the root end is down, its route is gone and
//   connects to the server must fail at once ("No route to host"), not leak out of the default
//   route to the real network.
//
// Names carry the creator's pid, so a later run can sweep what a killed one left behind; a process
// that exits abruptly (a second Ctrl-C) deletes its own namespaces synchronously on the way out.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { isAlive } from './proc-table.js';

const execFileAsync = promisify(execFile);

/** Namespace names of createNetnsPair: PREFIX-<creator pid>-<counter>-c|s. */
const PAIR_PREFIX = 'autossh-ts';
/** Namespace names of createServerNetns: PREFIX-<creator pid>-<counter>. */
const SERVER_PREFIX = 'autossh-lab';
/** The root end of a server namespace's veth: PREFIX<pid>-<counter> (at most 15 characters). */
const ROOT_DEV_PREFIX = 'alab';
/** Interfaces created inside fresh namespaces can have fixed names. */
const CLIENT_DEV = 'veth-c';
const SERVER_DEV = 'veth-s';
/** Server namespaces take a /30 from here; the pair's /30 is 10.213.x.0/30 inside its namespaces. */
const SERVER_NET_OCTETS = [10, 215] as const;
/** Marks the lab's fallback routes (a routing protocol number of our own), so a sweep finds them. */
const ROUTE_PROTO = '213';
/** Lower priority than the link's own route (metric 0): used only while that one is gone. */
const FALLBACK_METRIC = '4000';
/** Tries for a /30 that nothing in the root namespace uses yet. */
const SUBNET_TRIES = 20;
/** Bounds the wait for processes left in a namespace to die on destroy. */
const DESTROY_WAIT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 10_000;

let counter = 0;

export type Side = 'client' | 'server';

export interface NetnsPair {
  readonly clientNs: string;
  readonly serverNs: string;
  /** Address of the client end (e.g. 10.213.5.1): the source of connections to the server. */
  readonly clientAddr: string;
  /** Address of the server end (e.g. 10.213.5.2): where sshd listens. */
  readonly serverAddr: string;
  nsOf(side: Side): string;
  /**
   * Takes one end of the link down (default: the server's, as if the remote host vanished):
   * packets on open connections are lost silently and new connects fail after ARP gives up (~3 s).
   */
  linkDown(side?: Side): Promise<void>;
  linkUp(side?: Side): Promise<void>;
  /** Kills whatever still runs in the namespaces, then deletes them (and so the veth pair). */
  destroy(): Promise<void>;
}

export interface ServerNetns {
  readonly ns: string;
  /** The veth end in the root namespace (the one link faults take down). */
  readonly rootDev: string;
  /** Address of the root end: the source of the supervisors' connections. */
  readonly rootAddr: string;
  /** Address of the server end: where the namespace's sshd listens. */
  readonly serverAddr: string;
  /** The /30, e.g. 10.215.7.4/30. */
  readonly subnet: string;
  /**
   * The root end down: its route goes, open connections hear nothing, new connects fail at once
   * with "No route to host" (the fallback route).
   */
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
  /** Runs argv inside the namespace; resolves with its stdout. `input` goes to its stdin. */
  exec(argv: readonly string[], input?: string): Promise<string>;
  /** Kills whatever still runs in the namespace, deletes it (and so the veth pair) and the fallback route. */
  destroy(): Promise<void>;
}

/** Namespaces and routes this process made and has not removed yet: removed on an abrupt exit. */
const live = { namespaces: new Set<string>(), routes: new Set<string>(), devices: new Set<string>() };
let exitHookInstalled = false;

async function run(file: string, args: readonly string[], input?: string): Promise<string> {
  try {
    const promise = execFileAsync(file, [...args], { timeout: COMMAND_TIMEOUT_MS });
    if (input !== undefined) {
      promise.child.stdin?.end(input);
    }
    return (await promise).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
}

const ip = (...args: string[]): Promise<string> => run('ip', args);

/** argv run inside `ns` (ip netns exec also gives it that namespace's /sys and /proc/sys/net). */
export function execIn(ns: string, argv: readonly string[], input?: string): Promise<string> {
  return run('ip', ['netns', 'exec', ns, ...argv], input);
}

async function listNamespaces(): Promise<string[]> {
  const out = await ip('netns', 'list');
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

async function killAllIn(ns: string): Promise<void> {
  let pids: number[];
  try {
    pids = (await ip('netns', 'pids', ns)).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return;
  }
  // Only processes inside a namespace made here (so started by us) are killed.
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + DESTROY_WAIT_MS;
  while (pids.some(isAlive) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function deleteNamespace(ns: string): Promise<void> {
  await killAllIn(ns);
  // Sockets outlive their processes (a session the server still retransmits to, its FIN): they
  // would keep the namespace, its veth and the root end's route alive for minutes after it is
  // deleted. Destroy them. Always through `ip netns exec`: never in the root namespace.
  try {
    await execIn(ns, ['ss', '-K', '-tan']);
  } catch {
    // The namespace is gone already, or the kernel cannot destroy sockets: it goes when they do.
  }
  try {
    await ip('netns', 'delete', ns);
  } catch {
    // Already deleted (destroy called twice, or swept by another run).
  }
  live.namespaces.delete(ns);
}

async function deleteFallbackRoute(subnet: string): Promise<void> {
  try {
    await ip('route', 'delete', 'unreachable', subnet, 'metric', FALLBACK_METRIC, 'proto', ROUTE_PROTO);
  } catch {
    // Already gone.
  }
  live.routes.delete(subnet);
}

/** Deletes namespaces (and fallback routes) left by processes that died without cleaning up. */
async function sweepLeftovers(): Promise<void> {
  const pattern = new RegExp(`^(?:${PAIR_PREFIX}-(\\d+)-\\d+-[cs]|${SERVER_PREFIX}-(\\d+)-\\d+)$`);
  for (const ns of await listNamespaces()) {
    const m = pattern.exec(ns);
    const pid = Number(m?.[1] ?? m?.[2]);
    if (m && pid !== process.pid && !isAlive(pid)) await deleteNamespace(ns);
  }
  // A root veth end whose namespace is deleted but still held (by sockets, for a while).
  for (const m of (await ip('-o', 'link', 'show')).matchAll(new RegExp(`^\\d+: (${ROOT_DEV_PREFIX}(\\d+)-\\d+)[@:]`, 'gm'))) {
    const pid = Number(m[2]);
    if (pid !== process.pid && !isAlive(pid)) await ip('link', 'delete', m[1]!).catch(() => {});
  }
  // A fallback route whose /30 no root address is in any more belongs to a namespace that is gone
  // (a live run adds its address before its route and deletes its route before its namespace).
  const addressed = await rootAddressSubnets();
  const routes = await ip('-4', 'route', 'show', 'type', 'unreachable', 'proto', ROUTE_PROTO);
  for (const m of routes.matchAll(/^unreachable (\d+\.\d+\.\d+\.\d+\/30)\b/gm)) {
    const subnet = m[1]!;
    if (!addressed.has(subnet) && !live.routes.has(subnet)) await deleteFallbackRoute(subnet);
  }
}

/** The /30 networks that addresses of the root namespace are in. */
async function rootAddressSubnets(): Promise<Set<string>> {
  const used = new Set<string>();
  for (const m of (await ip('-4', '-o', 'addr', 'show')).matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/\d+/g)) {
    used.add(`${network30(m[1]!)}/30`);
  }
  return used;
}

/** Every /30 that an address or a route (of /30 or narrower) of the root namespace is in. */
async function rootSubnetsInUse(): Promise<Set<string>> {
  const used = await rootAddressSubnets();
  for (const m of (await ip('-4', 'route', 'show', 'table', 'all')).matchAll(/^(?:[a-z]+ )?(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/gm)) {
    if (Number(m[2] ?? 32) >= 30) used.add(`${network30(m[1]!)}/30`);
  }
  return used;
}

function network30(address: string): string {
  const octets = address.split('.').map(Number);
  octets[3] = octets[3]! & ~3;
  return octets.join('.');
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous on purpose: an 'exit' handler cannot wait. Processes inside were SIGKILLed by the
  // owned-processes hook already (or die with the namespace's last reference to them).
  process.on('exit', () => {
    for (const subnet of live.routes) {
      try {
        execFileSync('ip', ['route', 'delete', 'unreachable', subnet, 'metric', FALLBACK_METRIC, 'proto', ROUTE_PROTO], { stdio: 'ignore' });
      } catch {
        // best effort
      }
    }
    for (const ns of live.namespaces) {
      try {
        execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
      } catch {
        // best effort
      }
    }
    for (const dev of live.devices) {
      try {
        execFileSync('ip', ['link', 'delete', dev], { stdio: 'ignore' });
      } catch {
        // best effort: gone with its namespace
      }
    }
  });
}

async function addNamespace(ns: string): Promise<void> {
  installExitHook();
  await ip('netns', 'add', ns);
  live.namespaces.add(ns);
}

export async function createNetnsPair(): Promise<NetnsPair> {
  await sweepLeftovers();
  const n = counter++;
  const base = `${PAIR_PREFIX}-${process.pid}-${n}`;
  const clientNs = `${base}-c`;
  const serverNs = `${base}-s`;
  // The /30 exists only inside these two namespaces; the third octet merely helps reading logs.
  const octet = (process.pid + n) % 250;
  const clientAddr = `10.213.${octet}.1`;
  const serverAddr = `10.213.${octet}.2`;

  const created: string[] = [];
  try {
    for (const ns of [clientNs, serverNs]) {
      await addNamespace(ns);
      created.push(ns);
    }
    await ip('-n', clientNs, 'link', 'add', CLIENT_DEV, 'type', 'veth', 'peer', 'name', SERVER_DEV, 'netns', serverNs);
    await ip('-n', clientNs, 'addr', 'add', `${clientAddr}/30`, 'dev', CLIENT_DEV);
    await ip('-n', serverNs, 'addr', 'add', `${serverAddr}/30`, 'dev', SERVER_DEV);
    for (const [ns, dev] of [[clientNs, CLIENT_DEV], [serverNs, SERVER_DEV]] as const) {
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      await ip('-n', ns, 'link', 'set', dev, 'up');
    }
  } catch (err) {
    for (const ns of created) await deleteNamespace(ns);
    throw new Error(`could not create network namespaces (needs root and iproute2): ${(err as Error).message}`);
  }

  const nsOf = (side: Side): string => (side === 'client' ? clientNs : serverNs);
  const devOf = (side: Side): string => (side === 'client' ? CLIENT_DEV : SERVER_DEV);
  let destroyed: Promise<void> | undefined;
  return {
    clientNs,
    serverNs,
    clientAddr,
    serverAddr,
    nsOf,
    linkDown: async (side = 'server') => void (await ip('-n', nsOf(side), 'link', 'set', devOf(side), 'down')),
    linkUp: async (side = 'server') => void (await ip('-n', nsOf(side), 'link', 'set', devOf(side), 'up')),
    destroy() {
      destroyed ??= (async () => {
        await deleteNamespace(clientNs);
        await deleteNamespace(serverNs);
      })();
      return destroyed;
    },
  };
}

/** A /30 in SERVER_NET_OCTETS that no address or route of the root namespace is in yet. */
async function freeSubnet(): Promise<string> {
  const used = await rootSubnetsInUse();
  for (let i = 0; i < SUBNET_TRIES; i++) {
    const candidate = `${SERVER_NET_OCTETS.join('.')}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 64) * 4}`;
    if (!used.has(`${candidate}/30`)) return candidate;
  }
  throw new Error(`no free /30 in ${SERVER_NET_OCTETS.join('.')}.0.0/16 after ${SUBNET_TRIES} tries`);
}

export async function createServerNetns(): Promise<ServerNetns> {
  await sweepLeftovers();
  const n = counter++;
  const ns = `${SERVER_PREFIX}-${process.pid}-${n}`;
  const rootDev = `${ROOT_DEV_PREFIX}${process.pid}-${n}`.slice(0, 15);
  const network = await freeSubnet();
  const base = network.split('.').map(Number);
  const rootAddr = [...base.slice(0, 3), base[3]! + 1].join('.');
  const serverAddr = [...base.slice(0, 3), base[3]! + 2].join('.');
  const subnet = `${network}/30`;

  let routeAdded = false;
  try {
    await addNamespace(ns);
    // Made in the server namespace with its peer moved out: if anything below fails, deleting the
    // namespace deletes the pair, root end included.
    await ip('-n', ns, 'link', 'add', SERVER_DEV, 'type', 'veth', 'peer', 'name', rootDev, 'netns', String(process.pid));
    live.devices.add(rootDev);
    await ip('addr', 'add', `${rootAddr}/30`, 'dev', rootDev);
    await ip('-n', ns, 'addr', 'add', `${serverAddr}/30`, 'dev', SERVER_DEV);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('-n', ns, 'link', 'set', SERVER_DEV, 'up');
    await ip('link', 'set', rootDev, 'up');
    live.routes.add(subnet);
    await ip('route', 'add', 'unreachable', subnet, 'metric', FALLBACK_METRIC, 'proto', ROUTE_PROTO);
    routeAdded = true;
  } catch (err) {
    if (routeAdded || live.routes.has(subnet)) await deleteFallbackRoute(subnet);
    await deleteNamespace(ns);
    await ip('link', 'delete', rootDev).catch(() => {});
    live.devices.delete(rootDev);
    throw new Error(`could not create the server's network namespace (needs root and iproute2): ${(err as Error).message}`);
  }

  let destroyed: Promise<void> | undefined;
  return {
    ns,
    rootDev,
    rootAddr,
    serverAddr,
    subnet,
    linkDown: async () => void (await ip('link', 'set', rootDev, 'down')),
    linkUp: async () => void (await ip('link', 'set', rootDev, 'up')),
    exec: (argv, input) => execIn(ns, argv, input),
    destroy() {
      destroyed ??= (async () => {
        await deleteFallbackRoute(subnet);
        await deleteNamespace(ns);
        // Deleting a namespace frees its devices only once nothing holds it: take the pair down now.
        await ip('link', 'delete', rootDev).catch(() => {});
        live.devices.delete(rootDev);
      })();
      return destroyed;
    },
  };
}
