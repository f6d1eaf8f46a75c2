// sd_notify(3) without libsystemd: one datagram of `KEY=value` lines to the AF_UNIX socket named by
// NOTIFY_SOCKET. Node has no unix datagram sockets, so the transport is the `unix-dgram` package
// (native), loaded by a dynamic import only when NOTIFY_SOCKET is set: `autossh-ts -V` and every
// run outside systemd never load it. Kept out of the esbuild bundle (`--external:unix-dgram`).
//
// Notifying is best effort and never throws into the caller: systemd may be gone (a socket that
// refuses), restarted (daemon-reexec: the same path comes back), or busy (a full queue). A failed
// message is dropped, never queued; the first failure of each kind is logged, then silence.
import { constants } from 'node:os';
import type { UnixDgramSocket } from 'unix-dgram';
import { LOG_ERR } from '../machine/config/log-levels.js';

/** What a caller may say; each present field becomes one `KEY=value` line, in this order. */
export interface NotifyFields {
  /** start-up is done (or a reload finished) */
  READY?: true;
  /** a reload began; systemd (Type=notify-reload) wants MONOTONIC_USEC beside it */
  RELOADING?: true;
  /** CLOCK_MONOTONIC in microseconds: see monotonicUsec() */
  MONOTONIC_USEC?: bigint;
  /** shutdown began */
  STOPPING?: true;
  /** the watchdog's keep-alive (WatchdogSec=) */
  WATCHDOG?: true;
  /** one line of text for `systemctl status` */
  STATUS?: string;
}

const FIELD_ORDER = ['READY', 'RELOADING', 'MONOTONIC_USEC', 'STOPPING', 'WATCHDOG', 'STATUS'] as const;

/** systemd ignores a whole notification of PIPE_BUF (4096) bytes or more: a STATUS is cut well short of it. */
const MAX_STATUS_CHARS = 1024;

/** The datagram's text: `KEY=value` lines. A STATUS is one line: its newlines become spaces. */
export function notifyMessage(fields: NotifyFields): string {
  const lines: string[] = [];
  for (const key of FIELD_ORDER) {
    const value = fields[key];
    if (value === undefined) continue;
    if (key === 'STATUS') lines.push(`STATUS=${String(value).replace(/[\r\n]+/g, ' ').slice(0, MAX_STATUS_CHARS)}`);
    else lines.push(`${key}=${value === true ? '1' : String(value)}`);
  }
  return lines.join('\n');
}

/** CLOCK_MONOTONIC in µs, the clock systemd compares MONOTONIC_USEC with (libuv reads the same). */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export type NotifyAddress =
  | { kind: 'path'; path: string }
  /** Linux's abstract namespace: `@name` in NOTIFY_SOCKET, a leading NUL on the wire */
  | { kind: 'abstract'; name: string };

/** sun_path holds 108 bytes, the last one a NUL for a path. */
const MAX_SUN_PATH_BYTES = 107;

/** NOTIFY_SOCKET as sd_notify reads it, or the reason it cannot be used. */
export function parseNotifySocket(value: string): NotifyAddress | { problem: string } {
  if (Buffer.byteLength(value) > MAX_SUN_PATH_BYTES) {
    return { problem: `NOTIFY_SOCKET is ${Buffer.byteLength(value)} bytes long; a unix socket address holds at most ${MAX_SUN_PATH_BYTES}` };
  }
  if (value.startsWith('/')) return { kind: 'path', path: value };
  if (value.startsWith('@') && value.length > 1) return { kind: 'abstract', name: `\0${value.slice(1)}` };
  // systemd >= 256 also passes vsock: addresses (to VMs); they are not for a unix datagram socket
  return { problem: `NOTIFY_SOCKET=${JSON.stringify(value)} is neither an absolute path nor an @abstract name` };
}

/** One datagram out; returns why it was not sent, or null. Never throws. */
export interface DatagramSender {
  send(message: Buffer): SendProblem | null;
  close(): void;
}

export interface SendProblem {
  /** the kind of failure: each kind is logged once */
  kind: string;
  message: string;
}

/** What a failed send to NOTIFY_SOCKET means here, by errno name. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
  ECONNREFUSED: 'nobody listens on it',
  EAGAIN: 'its queue is full',
  ENOBUFS: 'no buffer space',
  ENOTDIR: 'a part of its path is not a directory',
  EMSGSIZE: 'the message is too long for it',
};

let errnoNames: Map<number, string> | null = null;
/** "EPROTOTYPE" for 91: this system's name of an errno number (os.constants.errno), or null. */
export function errnoName(errno: number): string | null {
  if (errnoNames === null) {
    errnoNames = new Map();
    // aliases share a number (EAGAIN and EWOULDBLOCK): the first, the usual name, is kept
    for (const [name, value] of Object.entries(constants.errno)) if (!errnoNames.has(value)) errnoNames.set(value, name);
  }
  return errnoNames.get(errno) ?? null;
}

/** Why a datagram to `path` was not sent, from the errno unix-dgram reported: named, in words where we have them. */
export function sendFailureText(path: string, errno: number): string {
  const name = errnoName(errno);
  // a stream (or seqpacket) socket at the path: sd_notify needs a datagram one
  if (name === 'EPROTOTYPE') return `NOTIFY_SOCKET ${path} is not a datagram socket (wrong socket type, EPROTOTYPE)`;
  if (name === null) return `${path}: cannot send (errno ${errno})`;
  const words = Object.hasOwn(ERRNO_WORDS, name) ? ERRNO_WORDS[name] : null;
  return words ? `${path}: ${words} (${name})` : `${path}: cannot send (${name})`;
}

/**
 * The unix-dgram transport to `address`, or the reason there is none. The socket is opened here
 * (unconnected: each datagram is addressed, so a socket re-created by systemd is found again).
 */
export async function openUnixDgramSender(address: NotifyAddress): Promise<DatagramSender | string> {
  if (address.kind === 'abstract') {
    // unix-dgram 2.0.7 copies the address with strncpy and passes sizeof(sockaddr_un) as its
    // length, so a name that starts with NUL cannot be addressed (bnoordhuis/node-unix-dgram#36,
    // open since 2016). Say so rather than send to a 108-NUL name nobody listens on.
    return `NOTIFY_SOCKET=@${address.name.slice(1)} is an abstract socket, which the unix-dgram transport cannot address`;
  }
  let socket: UnixDgramSocket;
  try {
    const { createSocket } = await import('unix-dgram');
    socket = createSocket('unix_dgram');
  } catch (error) {
    return `cannot load the unix-dgram module for NOTIFY_SOCKET: ${error instanceof Error ? error.message : String(error)}`;
  }
  // with a callback, send errors come to it; this is for anything else the emitter reports
  socket.on('error', () => {});
  const path = address.path;
  return {
    send(message) {
      let problem: SendProblem | null = null;
      try {
        // unix-dgram calls back synchronously, before send returns; the socket is non-blocking
        socket.send(message, 0, message.length, path, (error) => {
          if (!error) return;
          // unconnected sends report every failure as -errno (EAGAIN too: a full queue)
          if (typeof error.code !== 'number') {
            problem = { kind: 'error', message: `${path}: ${error.message}` };
            return;
          }
          const errno = Math.abs(error.code);
          problem = { kind: `errno ${errno}`, message: sendFailureText(path, errno) };
        });
      } catch (error) {
        problem = { kind: 'exception', message: `${path}: ${error instanceof Error ? error.message : String(error)}` };
      }
      return problem;
    },
    close() {
      try {
        socket.close();
      } catch {
        // closing twice, or an fd the kernel already dropped: nothing left to free
      }
    },
  };
}

export type NotifierLog = (level: number, message: string) => void;

/**
 * sd_notify for one process: the drop-in (../cli/readiness.ts) and the daemon. Each call sends
 * one datagram at once (the send is synchronous: once it returns, systemd has the message).
 */
export class SdNotifier {
  private readonly problemsLogged = new Set<string>();
  private lastStatus: string | null = null;
  private closed = false;

  constructor(
    private readonly sender: DatagramSender,
    private readonly log: NotifierLog,
  ) {}

  /** Sends `fields` as one datagram; false if it was dropped (logged once per kind of failure). */
  notify(fields: NotifyFields): boolean {
    if (this.closed) return false;
    const problem = this.sender.send(Buffer.from(notifyMessage(fields)));
    if (problem === null) {
      if (fields.STATUS !== undefined) this.lastStatus = fields.STATUS;
      return true;
    }
    if (!this.problemsLogged.has(problem.kind)) {
      this.problemsLogged.add(problem.kind);
      this.log(LOG_ERR, `sd_notify: ${problem.message} (told once; later messages are dropped silently)`);
    }
    return false;
  }

  /** STATUS=text, unless it is what systemd shows already. */
  status(text: string): boolean {
    if (text === this.lastStatus) return false;
    return this.notify({ STATUS: text });
  }

  /** The STATUS last delivered, or null. */
  get currentStatus(): string | null {
    return this.lastStatus;
  }

  /** RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload requires; READY=1 ends the reload. */
  reloading(status?: string): boolean {
    return this.notify({ RELOADING: true, MONOTONIC_USEC: monotonicUsec(), ...(status === undefined ? {} : { STATUS: status }) });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sender.close();
  }
}

/**
 * The SdNotifier NOTIFY_SOCKET asks for: null when it is unset or empty (not under systemd: nothing
 * is loaded, nothing is sent), or when it cannot be used (logged once, and the run goes on).
 */
export async function notifierFromEnvironment(env: NodeJS.ProcessEnv, log: NotifierLog): Promise<SdNotifier | null> {
  const value = env.NOTIFY_SOCKET;
  if (!value) return null;
  const address = parseNotifySocket(value);
  if ('problem' in address) {
    log(LOG_ERR, `sd_notify: ${address.problem}: no readiness notifications`);
    return null;
  }
  const sender = await openUnixDgramSender(address);
  if (typeof sender === 'string') {
    log(LOG_ERR, `sd_notify: ${sender}: no readiness notifications`);
    return null;
  }
  return new SdNotifier(sender, log);
}
