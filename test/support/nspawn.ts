// A real systemd, booted as PID 1 of a throwaway systemd-nspawn container over an overlay of this
// machine's own root (shared/FIELD-NOTES.md, "A real systemd in a throwaway container"): the
// overlay's upper layer is a tmpfs, so nothing the container writes reaches the host's disk;
// loopback is its only network; enabled host services are masked so that they do not start
// inside; nspawn runs in cgroups of its own, or the container's systemd would take over the
// host's. Without machined or D-Bus on the host, commands run inside through nsenter.
// stop() halts it and removes every mount, directory and cgroup it made; it is idempotent, and a
// process that exits without calling it still kills nspawn and unmounts (best effort).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputTail } from '../../lab/world/output-tail.js';

const NSPAWN = '/usr/bin/systemd-nspawn';
const NSENTER = '/usr/bin/nsenter';
/** measured here 1.05-1.65 s; a loaded machine (2 cores, other tests) needs more */
const BOOT_TIMEOUT_MS = 60_000;
const BOOT_POLL_MS = 100;
const HALT_TIMEOUT_MS = 20_000;
const EXEC_TIMEOUT_MS = 60_000;
const LOG_LIMIT_CHARS = 64 * 1024;
/** the unit types whose enabled host units are masked inside (a target starts nothing by itself) */
const MASKED_SUFFIXES = ['.service', '.timer', '.socket', '.path'];

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** bytes for the command's stdin */
  input?: string;
  timeoutMs?: number;
}

export interface BootOptions {
  /** host directories hidden inside the container under an empty tmpfs (nspawn --tmpfs=) */
  hide?: string[];
}

export interface Container {
  /** the machine name, unique per run: also the cgroups' and the overlay's name */
  readonly name: string;
  /** the container's / as seen from the host (files written here land in the tmpfs layer) */
  readonly root: string;
  /** host pid of the container's PID 1 */
  readonly leader: number;
  /** runs argv inside (every namespace of PID 1, a clean environment); never throws on an exit status */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** as exec, but an exit status other than 0 throws with the command's stderr */
  run(argv: string[], options?: ExecOptions): Promise<string>;
  /** `systemctl show` of the given properties */
  show(unit: string, properties: string[]): Promise<Record<string, string>>;
  /** nspawn's own output (the container's console), for failure messages */
  log(): string;
  stop(): Promise<void>;
}

/** Why a container cannot be booted here, or null when it can. */
export function nspawnUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (systemd-nspawn, mount and cgroups need root)';
  if (!existsSync(NSPAWN)) return `no ${NSPAWN}: apt-get install --no-install-recommends systemd-container (scripts/setup.sh does)`;
  if (!existsSync(NSENTER)) return `no ${NSENTER} (util-linux)`;
  if (!existsSync('/lib/systemd/systemd')) return 'no /lib/systemd/systemd to boot';
  return null;
}

/** The cgroup hierarchies nspawn must start in: v1's named systemd one and v2's, or the unified root. */
function cgroupParents(): string[] {
  const hybrid = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].filter((p) => existsSync(join(p, 'cgroup.procs')));
  if (hybrid.length > 0) return hybrid;
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? ['/sys/fs/cgroup'] : [];
}

/** `systemd.mask=` for every host unit enabled in /etc/systemd/system/*.wants (ssh.service, timers, ...). */
function maskArguments(): string[] {
  const masks = new Set<string>();
  const etc = '/etc/systemd/system';
  for (const entry of existsSync(etc) ? readdirSync(etc) : []) {
    if (!entry.endsWith('.wants')) continue;
    for (const unit of readdirSync(join(etc, entry))) {
      if (MASKED_SUFFIXES.some((suffix) => unit.endsWith(suffix))) masks.add(unit);
    }
  }
  return [...masks].sort().map((unit) => `systemd.mask=${unit}`);
}

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // teardown goes on: each step undoes what it can
  }
}

/** The host pid whose NSpid ends in 1: the container's PID 1, a child of nspawn. */
function leaderOf(nspawnPid: number): number | null {
  let children: string;
  try {
    children = readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, 'utf8');
  } catch {
    return null;
  }
  for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
    try {
      const nspid = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
      if (nspid && nspid.length > 1 && nspid[nspid.length - 1] === '1') return pid;
    } catch {
      // gone between the two reads
    }
  }
  return null;
}

const CLEAN_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root', TERM: 'dumb' };

function execIn(leader: number, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NSENTER, ['-t', String(leader), '-a', '--', ...argv], { env: CLEAN_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timeoutMs = options.timeoutMs ?? EXEC_TIMEOUT_MS;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== null) reject(new Error(`${argv.join(' ')}: killed by ${signal} (over ${timeoutMs} ms?)\n${stderr}`));
      else resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export async function bootContainer(options: BootOptions = {}): Promise<Container> {
  const why = nspawnUnavailable();
  if (why) throw new Error(`cannot boot a container: ${why}`);
  const name = `autossh-ts-${process.pid}-${randomBytes(3).toString('hex')}`;
  const base = mkdtempSync(join(tmpdir(), `${name}-`));
  const upper = join(base, 'upper');
  const work = join(base, 'work');
  const root = join(base, 'root');
  const cgroups = cgroupParents().map((parent) => join(parent, name));
  let nspawn: ChildProcess | null = null;
  const log = new OutputTail(LOG_LIMIT_CHARS);
  let tmpfsMounted = false;
  let overlayMounted = false;
  let stopped: Promise<void> | null = null;

  const teardownNow = (): void => {
    // synchronous, for process exit: no waiting for a clean halt
    if (nspawn?.pid && nspawn.exitCode === null && nspawn.signalCode === null) quietly(() => process.kill(nspawn!.pid!, 'SIGKILL'));
    if (overlayMounted) quietly(() => execFileSync('umount', ['-l', root]));
    if (tmpfsMounted) quietly(() => execFileSync('umount', ['-l', base]));
    quietly(() => rmdirSync(base));
  };
  process.once('exit', teardownNow);

  const removeCgroups = (): void => {
    for (const cgroup of cgroups) {
      // children first: the container's systemd made its own below ours
      quietly(() => execFileSync('find', [cgroup, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'], { stdio: 'ignore' }));
    }
  };

  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      process.removeListener('exit', teardownNow);
      const proc = nspawn;
      if (proc?.pid && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((done) => proc.once('exit', () => done()));
        // SIGTERM to nspawn is a clean halt of the container's systemd
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), HALT_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      if (overlayMounted) quietly(() => execFileSync('umount', [root]));
      if (overlayMounted && isMountPoint(root)) quietly(() => execFileSync('umount', ['-l', root]));
      if (tmpfsMounted) quietly(() => execFileSync('umount', [base]));
      if (tmpfsMounted && isMountPoint(base)) quietly(() => execFileSync('umount', ['-l', base]));
      quietly(() => rmdirSync(base));
      removeCgroups();
    })());

  try {
    // the upper layer must be on a tmpfs: overlayfs refuses an upper dir on the lower's filesystem
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'tmpfs', base]);
    tmpfsMounted = true;
    for (const dir of [upper, work, root]) mkdirSync(dir);
    execFileSync('mount', ['-t', 'overlay', name, '-o', `lowerdir=/,upperdir=${upper},workdir=${work}`, root]);
    overlayMounted = true;
    for (const cgroup of cgroups) mkdirSync(cgroup);
    const nspawnArgs = [
      '-D', root, '--boot', '--register=no', '--keep-unit', '--private-network', '--console=passive',
      `--machine=${name}`, ...(options.hide ?? []).map((dir) => `--tmpfs=${dir}`),
      '--', ...maskArguments(),
    ];
    // the shell moves itself into our cgroups, then becomes nspawn: nspawn starts in them
    const joinCgroups = cgroups.map((c) => `echo $$ > '${c}/cgroup.procs'`).join(' && ');
    const script = `${joinCgroups || 'true'} && exec ${NSPAWN} "$@"`;
    const proc = spawn('/bin/sh', ['-c', script, 'sh', ...nspawnArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    nspawn = proc;
    log.follow(proc.stdout, proc.stderr);

    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    let leader: number | null = null;
    let state = '';
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`systemd-nspawn ended during boot:\n${log.text()}`);
      leader ??= leaderOf(proc.pid!);
      if (leader !== null) {
        state = (await execIn(leader, ['systemctl', 'is-system-running'], { timeoutMs: 10_000 }).catch(() => ({ stdout: '' }))).stdout.trim();
        if (state === 'running' || state === 'degraded') break;
      }
      await new Promise((r) => setTimeout(r, BOOT_POLL_MS));
    }
    if (leader === null || (state !== 'running' && state !== 'degraded')) {
      throw new Error(`the container's systemd did not come up in ${BOOT_TIMEOUT_MS} ms (last state "${state}"):\n${log.text()}`);
    }

    const container: Container = {
      name,
      root,
      leader,
      exec: (argv, opts) => execIn(leader!, argv, opts),
      async run(argv, opts) {
        const result = await execIn(leader!, argv, opts);
        if (result.code !== 0) throw new Error(`in ${name}: ${argv.join(' ')} exited ${result.code}\n${result.stderr}${result.stdout}`);
        return result.stdout;
      },
      async show(unit, properties) {
        const out = await container.run(['systemctl', 'show', unit, ...properties.map((p) => `--property=${p}`)]);
        const values: Record<string, string> = {};
        for (const line of out.split('\n')) {
          const at = line.indexOf('=');
          if (at > 0) values[line.slice(0, at)] = line.slice(at + 1);
        }
        return values;
      },
      log: () => log.text(),
      stop,
    };
    return container;
  } catch (error) {
    await stop();
    throw error;
  }
}

function isMountPoint(path: string): boolean {
  try {
    return statSync(path).dev !== statSync(join(path, '..')).dev;
  } catch {
    return false;
  }
}

/**
 * Writes a file inside a running container through the host's view of its root (the tmpfs layer).
 * Not for the container's own mounts (/run, /tmp, /dev): those are not in the overlay.
 */
export function writeInto(container: Container, path: string, content: string | Buffer, mode = 0o644): void {
  const target = join(container.root, path);
  mkdirSync(join(target, '..'), { recursive: true });
  writeFileSync(target, content, { mode });
}
