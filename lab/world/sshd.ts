// A throwaway OpenSSH server for a chaos run or a test file: its own temp dir, host key, client
// key and config (see shared/FIELD-NOTES.md for why each setting is there), on loopback or on an
// address inside a network namespace. stop() kills the listener and every session process it
// forked. The tests use it too (they import it from here); dist/ must not depend on test/.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getFreePort, randomNamespacePort } from './ports.js';
import { descendantsOf, inNetns, killIfSame, waitForExit } from './processes.js';
import { ownTree } from './owned-processes.js';
import { sleep } from './wait.js';
import { OutputTail } from './output-tail.js';

const execFileAsync = promisify(execFile);

/** Started by absolute path: sshd refuses to re-exec itself otherwise. */
export const SSHD_PATH = '/usr/sbin/sshd';
/** Readiness polling: bounded number of tries. */
const READY_TRIES = 200;
const READY_INTERVAL_MS = 25;
/** A port taken between choosing it and sshd binding it: choose again this many times. */
const START_ATTEMPTS = 3;
const LOG_LIMIT_CHARS = 64 * 1024;

export interface SshdOptions {
  /** Default SSHD_PATH. */
  sshdPath?: string;
  /** Run inside this network namespace (then listenAddress should be an address in it). */
  netns?: string;
  /** Default 127.0.0.1. */
  listenAddress?: string;
  /** Default: a free port (loopback) or a random high port (fresh namespace). */
  port?: number;
  /** More sshd_config lines, appended after the defaults. */
  extraConfig?: string[];
}

/** ssh `-o` overrides: a string replaces the default value, null drops the option. */
export type ClientOptionOverrides = Record<string, string | null>;

export interface Sshd {
  readonly host: string;
  readonly port: number;
  /** Private key the client must use (`-i`). Unique per server: also a marker to find its ssh. */
  readonly keyPath: string;
  readonly user: string;
  /** `user@host` for the ssh command line. */
  readonly destination: string;
  readonly dir: string;
  /** Pid of the listening sshd (changes on restart). */
  readonly pid: number;
  /** ssh options for a non-interactive, fast-failing client of this server. */
  clientArgs(overrides?: ClientOptionOverrides): string[];
  /** Per-connection sshd processes (children of the listener): one set per ssh session. */
  sessionPids(): number[];
  /** SIGKILLs every session process: the server side drops all sessions at once. */
  dropSessions(): Promise<void>;
  /** Kills listener and sessions; the same port, keys and config come back up. */
  restart(): Promise<void>;
  /** Kills listener and sessions, keeping port, keys and config for resume(). */
  halt(): Promise<void>;
  /** Starts the listener again after halt(). */
  resume(): Promise<void>;
  /** Kills everything and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** sshd's stderr (-e) tail, for failure messages. */
  log(): string;
}

const DEFAULT_CLIENT_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['IdentitiesOnly', 'yes'],
  ['BatchMode', 'yes'],
  ['StrictHostKeyChecking', 'no'],
  ['UserKnownHostsFile', '/dev/null'],
  ['ExitOnForwardFailure', 'yes'],
  ['ServerAliveInterval', '1'],
  ['ServerAliveCountMax', '2'],
  // The default post-quantum key exchange costs ~150 ms of CPU per connection.
  ['KexAlgorithms', 'curve25519-sha256'],
];

async function keygen(path: string): Promise<void> {
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'autossh-ts-test', '-f', path]);
}

function sshdConfig(dir: string, listenAddress: string, port: number, extra: string[]): string {
  return [
    `ListenAddress ${listenAddress}`,
    `Port ${port}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'AllowTcpForwarding yes',
    // Keys live under /tmp, whose mode sshd would otherwise reject ("bad ownership or modes").
    'StrictModes no',
    // A dead -R session must release its remote port quickly, or reconnects fail for minutes.
    'ClientAliveInterval 2',
    'ClientAliveCountMax 2',
    'PrintMotd no',
    'UseDNS no',
    'LoginGraceTime 20',
    ...extra,
    '',
  ].join('\n');
}

/** True when the network namespace of `pid` has a TCP socket listening on `port`. */
function isListening(pid: number, port: number): boolean {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(portHex)) return true;
    }
  }
  return false;
}

/** Connects and reads the "SSH-2.0-..." banner: proof that sshd accepts and answers. */
function readsBanner(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (c: Buffer) => done(c.toString('latin1').startsWith('SSH-')));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const sshdPath = opts.sshdPath ?? SSHD_PATH;
  if (!existsSync(sshdPath)) {
    throw new Error(
      `no sshd at ${sshdPath}: install openssh-server (apt-get install openssh-server), or name a server with --target user@host:port`,
    );
  }
  // Privilege separation directory: a root sshd refuses to start without it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const host = opts.listenAddress ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-sshd-'));
  const keyPath = join(dir, 'client_ed25519');
  const configPath = join(dir, 'sshd_config');
  const user = userInfo().username;
  let child: ChildProcess | undefined;
  const log = new OutputTail(LOG_LIMIT_CHARS);
  let port = opts.port ?? 0;
  let stopped = false;

  const launch = async (): Promise<void> => {
    writeFileSync(configPath, sshdConfig(dir, host, port, opts.extraConfig ?? []));
    const argv = inNetns(opts.netns, [sshdPath, '-D', '-e', '-f', configPath]);
    const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    log.follow(proc.stderr);
    const pid = proc.pid;
    if (pid === undefined) throw new Error(`could not spawn ${sshdPath}`);
    ownTree(pid);
    for (let i = 0; i < READY_TRIES; i++) {
      if (proc.exitCode !== null || proc.signalCode !== null) break;
      // In a namespace only the listening socket can be checked from here; on loopback also
      // read the banner, which proves the accept loop runs.
      if (isListening(pid, port) && (opts.netns !== undefined || (await readsBanner(host, port, 1_000)))) {
        return;
      }
      await sleep(READY_INTERVAL_MS);
    }
    await killAll();
    throw new Error(`sshd on ${host}:${port} did not become ready; its log:\n${log.text()}`);
  };

  // Sessions first: once the listener is gone its children are re-parented and hard to find.
  const killAll = async (): Promise<void> => {
    const proc = child;
    if (!proc?.pid) return;
    for (const p of descendantsOf(proc.pid)) killIfSame(p);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await waitForExit(proc.pid, 5_000);
  };

  try {
    await Promise.all([keygen(join(dir, 'host_ed25519')), keygen(keyPath)]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyPath}.pub`));
    for (let attempt = 1; ; attempt++) {
      if (opts.port === undefined) {
        port = opts.netns === undefined ? await getFreePort(host) : randomNamespacePort();
      }
      try {
        await launch();
        break;
      } catch (err) {
        if (opts.port !== undefined || attempt >= START_ATTEMPTS) throw err;
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const sessionPids = (): number[] => (child?.pid ? descendantsOf(child.pid).map((p) => p.pid) : []);
  return {
    host,
    get port() {
      return port;
    },
    keyPath,
    user,
    destination: `${user}@${host}`,
    dir,
    get pid() {
      return child?.pid ?? -1;
    },
    clientArgs(overrides = {}) {
      const options = new Map<string, string | null>(DEFAULT_CLIENT_OPTIONS);
      for (const [k, v] of Object.entries(overrides)) options.set(k, v);
      const args = ['-F', '/dev/null', '-i', keyPath];
      for (const [k, v] of options) if (v !== null) args.push('-o', `${k}=${v}`);
      args.push('-p', String(port));
      return args;
    },
    sessionPids,
    async dropSessions() {
      const sessions = child?.pid ? descendantsOf(child.pid) : [];
      for (const p of sessions) killIfSame(p);
      for (const p of sessions) await waitForExit(p.pid, 5_000);
    },
    async restart() {
      if (stopped) throw new Error('sshd was stopped; start a new one');
      await killAll();
      await launch();
    },
    async halt() {
      await killAll();
    },
    async resume() {
      if (stopped) throw new Error('sshd was stopped; start a new one');
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await killAll();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => log.text(),
  };
}
