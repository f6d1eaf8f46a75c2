// A private two-host network: a "client" and a "server" network namespace joined by a veth pair
// on a /30. Both ends live in namespaces this module creates, so nothing (no address, no route,
// no interface) is added to the machine's own namespace, tests running in parallel cannot collide,
// and destroying the two namespaces removes everything.
//
// Why two hosts: autossh's `-M wp` loop binds port wp on the client (-L) and on the server (-R);
// on one host they collide. Link faults (linkDown) also need a link that is not loopback.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isAlive } from '../../lab/world/proc-table.js';

const execFileAsync = promisify(execFile);

/** Namespace names: PREFIX-<creator pid>-<counter>-c|s; the pid lets a later run sweep leftovers. */
const NAME_PREFIX = 'autossh-ts';
/** Interfaces are created inside the fresh namespaces, so fixed names cannot collide. */
const CLIENT_DEV = 'veth-c';
const SERVER_DEV = 'veth-s';
/** Bounds the wait for processes left in a namespace to die on destroy. */
const DESTROY_WAIT_MS = 2_000;

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

async function ip(...args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ip', args, { timeout: 10_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
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
  // Only processes inside a namespace this module created (so started by the tests) are killed.
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
  try {
    await ip('netns', 'delete', ns);
  } catch {
    // Already deleted (destroy called twice, or swept by another run).
  }
}

/** Deletes namespaces left by test processes that died without cleaning up. */
async function sweepLeftovers(): Promise<void> {
  const pattern = new RegExp(`^${NAME_PREFIX}-(\\d+)-\\d+-[cs]$`);
  for (const ns of await listNamespaces()) {
    const m = pattern.exec(ns);
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) await deleteNamespace(ns);
  }
}

export async function createNetnsPair(): Promise<NetnsPair> {
  await sweepLeftovers();
  const n = counter++;
  const base = `${NAME_PREFIX}-${process.pid}-${n}`;
  const clientNs = `${base}-c`;
  const serverNs = `${base}-s`;
  // The /30 exists only inside these two namespaces; the third octet merely helps reading logs.
  const octet = (process.pid + n) % 250;
  const clientAddr = `10.213.${octet}.1`;
  const serverAddr = `10.213.${octet}.2`;

  const created: string[] = [];
  try {
    for (const ns of [clientNs, serverNs]) {
      await ip('netns', 'add', ns);
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
    throw new Error(
      `could not create network namespaces (needs root and iproute2): ${(err as Error).message}`,
    );
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
