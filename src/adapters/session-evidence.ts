// D9's evidence that an ssh has its session up, read from /proc: OpenSSH binds its -L and -D
// listeners (and the -M monitor's -L) only after authentication, so that very ssh process
// holding a TCP socket in LISTEN on one of those ports shows the session is up. A listener
// belonging to any other process (a leftover ssh, another program on the port) shows nothing:
// the socket must be one of this pid's open files (/proc/PID/fd -> socket:[INODE]) and be listed
// in LISTEN with that inode in /proc/PID/net/tcp or tcp6 (the tables of ssh's own namespace).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** How often the listener is looked for while an ssh is awaited (a look: see ListenerCheck). */
export const LISTEN_POLL_MS = 150;
/** A session is seldom up sooner than this after the spawn (measured ≈ 140-290 ms on loopback). */
const FIRST_LOOK_MS = 50;

const TCP_LISTEN = '0A';
/** TCP states a socket never leaves for LISTEN: a connected or closing socket stays what it is. */
const CONNECTED_STATES = new Set(['01', '02', '03', '04', '05', '06', '08', '09', '0B']);

/** The socket inodes among `pid`'s open files; empty once it is gone. */
export function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed in between
    }
    if (target.startsWith('socket:[')) inodes.add(target.slice('socket:['.length, -1));
  }
  return inodes;
}

interface TcpSocket {
  state: string;
  port: number;
}

function readTable(pid: number, name: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/net/${name}`, 'latin1').split('\n').slice(1);
  } catch {
    return []; // no IPv6, or the process is gone
  }
}

/** The TCP sockets of `pid`'s network namespace, by inode (v4 and v6). Costly: see ListenerCheck. */
function tcpSocketsSeenBy(pid: number): Map<string, TcpSocket> {
  const sockets = new Map<string, TcpSocket>();
  for (const table of ['tcp', 'tcp6']) {
    // "  sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when retrnsmt   uid  timeout inode"
    for (const line of readTable(pid, table)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      const inode = fields[9];
      if (local === undefined || state === undefined || inode === undefined || inode === '0') continue;
      sockets.set(inode, { state, port: parseInt(local.slice(local.lastIndexOf(':') + 1), 16) });
    }
  }
  return sockets;
}

/** Tables of sockets that are not TCP, and the column that holds the inode. */
const OTHER_FAMILIES: ReadonlyArray<readonly [table: string, inodeColumn: number]> = [
  ['unix', 6], // ssh's stderr (our socketpair), the agent, a control master
  ['netlink', 9], // getaddrinfo
  ['udp', 9], // DNS
  ['udp6', 9],
];

/** The inodes among `inodes` that are sockets of another family than TCP. */
function notTcp(pid: number, inodes: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  for (const [table, column] of OTHER_FAMILIES) {
    for (const line of readTable(pid, table)) {
      const inode = line.trim().split(/\s+/)[column];
      if (inode !== undefined && inodes.has(inode)) found.add(inode);
    }
  }
  return found;
}

/**
 * Asks, again and again, whether one ssh listens on one of its ports. Reading /proc/net/tcp walks
 * the kernel's whole established-connections hash table, whatever is in it: ≈ 5 ms of CPU for tcp
 * and 4 ms for tcp6 on the CI machine (262144 buckets), where the other tables cost ≈ 0.1 ms.
 * So a socket is classified once and remembered: unix, netlink and UDP sockets, connected TCP
 * sockets (ssh's own connection) and listeners on other ports can never become the listener
 * awaited. The TCP tables are read only when ssh holds a socket not classified yet: once or
 * twice per ssh start, and when its listener appears. A look otherwise reads /proc/PID/fd only.
 */
export class ListenerCheck {
  private readonly ports: ReadonlySet<number>;
  /** inodes that can never be the listener awaited: not worth a table read again */
  private readonly settled = new Set<string>();
  /** how many times the TCP tables were read (the costly part) */
  tableReads = 0;

  constructor(readonly pid: number, ports: readonly number[]) {
    this.ports = new Set(ports);
  }

  /** The port ssh listens on, or null (not yet, or the process is gone). */
  look(): number | null {
    const fresh = new Set<string>();
    for (const inode of socketInodesOf(this.pid)) if (!this.settled.has(inode)) fresh.add(inode);
    if (fresh.size === 0) return null;
    for (const inode of notTcp(this.pid, fresh)) {
      this.settled.add(inode);
      fresh.delete(inode);
    }
    if (fresh.size === 0) return null;
    this.tableReads++;
    const tcp = tcpSocketsSeenBy(this.pid);
    for (const inode of fresh) {
      const socket = tcp.get(inode);
      if (socket === undefined) continue; // bound, not listening yet: look again next time
      if (socket.state === TCP_LISTEN && this.ports.has(socket.port)) return socket.port;
      // connected, or listening on another port: it stays what it is
      if (socket.state === TCP_LISTEN || CONNECTED_STATES.has(socket.state)) this.settled.add(inode);
    }
    return null;
  }
}
/**
 * Looks every LISTEN_POLL_MS until the ssh with this pid listens on one of `ports`, then calls
 * `onListening` once. stop() ends it (the session was shown otherwise, or ssh ended).
 */
export class ListenerWatch {
  private timer: NodeJS.Timeout | null = null;
  private readonly check: ListenerCheck;

  constructor(pid: number, ports: readonly number[], private readonly onListening: (port: number) => void, pollMs = LISTEN_POLL_MS) {
    this.check = new ListenerCheck(pid, ports);
    const look = (): void => {
      this.timer = null;
      const port = this.check.look();
      if (port !== null) return this.onListening(port);
      this.timer = setTimeout(look, pollMs);
    };
    this.timer = setTimeout(look, Math.min(FIRST_LOOK_MS, pollMs));
  }

  get watching(): boolean {
    return this.timer !== null;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
