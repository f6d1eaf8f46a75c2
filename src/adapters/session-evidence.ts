// D9's evidence that an ssh has its session up, read from /proc: OpenSSH binds its -L and -D
// listeners (and the -M monitor's -L) only after authentication, so that very ssh process
// holding a TCP socket in LISTEN on one of those ports shows the session is up. A listener
// belonging to any other process (a leftover ssh, another program on the port) shows nothing:
// the socket must be one of this pid's open files (/proc/PID/fd -> socket:[INODE]) and be listed
// in LISTEN with that inode in /proc/PID/net/tcp or tcp6 (the tables of ssh's own namespace).
// Without such a port, ssh's own "Authenticated to" line for its very host and port
// (AuthLineWatch, below; the weaker evidence: see src/machine/decisions/authenticated-line.ts).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isOwnAuthenticatedLine, readAuthenticatedLine, sessionPeerOf, type SessionPeer } from '../machine/decisions/authenticated-line.js';

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

// --- D9 without a port: ssh's own "Authenticated to" line, for this very host and port ---

/** `ssh -G` reads ssh_config (a Match exec, a canonicalising lookup): it gets this long. */
export const SSH_CONFIG_TIMEOUT_MS = 5_000;
/** Its output is a few KiB; more is not ssh -G. */
const SSH_CONFIG_MAX_BYTES = 256 * 1024;
/** Lines of the right form kept while `ssh -G` has not answered yet (ssh says it once). */
const HELD_LINES = 4;

/**
 * Where this ssh connects, as ssh itself resolves it: the same program and argv with `-G` first,
 * which prints the configuration (HostName, Port, ProxyCommand applied) and exits.
 */
export function resolveSessionPeer(sshArgv: readonly string[], signal: AbortSignal): Promise<SessionPeer | { error: string }> {
  return new Promise((resolve) => {
    execFile(
      sshArgv[0]!,
      ['-G', ...sshArgv.slice(1)],
      { signal, timeout: SSH_CONFIG_TIMEOUT_MS, maxBuffer: SSH_CONFIG_MAX_BYTES, encoding: 'utf8', windowsHide: true },
      (error, stdout) => {
        if (error) return resolve({ error: error.killed ? `no answer within ${SSH_CONFIG_TIMEOUT_MS / 1000} s` : error.message.split('\n')[0]! });
        resolve(sessionPeerOf(stdout) ?? { error: 'its output names no hostname and port' });
      },
    ).stdin?.end();
  });
}

/**
 * Waits for the current ssh's own "Authenticated to" line, for the host and port `ssh -G` names,
 * and calls `onAuthenticated` once. Lines heard before `ssh -G` answers are held (a few) and
 * judged then. If `ssh -G` fails, no line counts: `onNoPeer` says why.
 */
export class AuthLineWatch {
  private readonly abort = new AbortController();
  private peer: SessionPeer | null = null;
  private readonly held: string[] = [];
  private done = false;

  constructor(
    sshArgv: readonly string[],
    private readonly onAuthenticated: () => void,
    onNoPeer: (why: string) => void,
    resolvePeer = resolveSessionPeer,
  ) {
    void resolvePeer(sshArgv, this.abort.signal).then((result) => {
      if (this.done) return;
      if ('error' in result) {
        this.held.length = 0;
        return onNoPeer(result.error);
      }
      this.peer = result;
      for (const line of this.held.splice(0)) this.said(line);
    });
  }

  /** A line of ssh's stderr. */
  said(line: string): void {
    if (this.done) return;
    if (this.peer === null) {
      if (this.held.length < HELD_LINES && readAuthenticatedLine(line) !== null) this.held.push(line);
      return;
    }
    if (!isOwnAuthenticatedLine(line, this.peer)) return;
    this.stop();
    this.onAuthenticated();
  }

  stop(): void {
    this.done = true;
    this.held.length = 0;
    this.abort.abort();
  }
}
