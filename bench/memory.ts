// Memory: what a tunnel costs as a drop-in (one autossh-ts process per tunnel, -M 0) and inside
// one daemon (`--config`, 1, 10, 100 and 300 tunnels), beside autossh 1.4g's process. The "ssh"
// is a script that execs sleep: the figures are the supervisors' own resident set (VmRSS), read
// SETTLE_MS after every ssh has started; ssh's memory is the same either way and left out.
// Medians of RUNS runs. Run: node dist/bench/memory.js [runs=3]
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listProcesses } from '../lab/world/proc-table.js';

const RUNS = Math.max(1, Number(process.argv[2] ?? 3));
const TS_BIN = resolve(import.meta.dirname, '../autossh-ts.mjs');
const AUTOSSH_1_4G = '/usr/lib/autossh/autossh';
const DAEMON_SIZES = [1, 10, 100, 300];
/** after the last ssh started: start-up garbage has had time to be collected */
const SETTLE_MS = 3000;
/** how long N tunnels may take to start their ssh (300 on a busy 2-core machine: seconds) */
const START_LIMIT_MS = 120_000;

const dir = mkdtempSync(join(tmpdir(), `bench-memory-${process.pid}-`));
const ssh = join(dir, 'ssh');
writeFileSync(ssh, '#!/bin/sh\nexec sleep 100000\n');
chmodSync(ssh, 0o755);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

interface Memory {
  /** resident set, shared pages (node's binary, libc) counted whole: what ps shows */
  rssKb: number;
  /** pages only this process holds (Private_Clean + Private_Dirty): what one more process adds */
  privateKb: number;
}

function memoryOf(pid: number): Memory {
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? Number.NaN);
  return { rssKb, privateKb: field('Private_Clean') + field('Private_Dirty') };
}

/** the supervisor's live ssh children (our sleep) */
function sshCount(pid: number): number {
  return listProcesses().filter((p) => p.ppid === pid && p.state !== 'Z' && p.argv[0] === 'sleep').length;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** start `cmd`, wait until it runs `tunnels` ssh, let it settle, read its RSS, stop it */
async function measure(cmd: string[], env: NodeJS.ProcessEnv, tunnels: number): Promise<Memory> {
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'ignore', env: { PATH: process.env.PATH, HOME: dir, ...env } });
  try {
    const startedAt = Date.now();
    while (sshCount(child.pid!) < tunnels) {
      if (child.exitCode !== null) throw new Error(`${cmd.join(' ')} exited with ${child.exitCode} before its ${tunnels} ssh ran`);
      if (Date.now() - startedAt > START_LIMIT_MS) throw new Error(`${cmd.join(' ')}: ${tunnels} ssh not running after ${START_LIMIT_MS} ms`);
      await sleep(50);
    }
    await sleep(SETTLE_MS);
    return memoryOf(child.pid!);
  } finally {
    await stop(child);
  }
}

function dropInEnv(): NodeJS.ProcessEnv {
  return { AUTOSSH_PATH: ssh, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: join(dir, 'drop-in.log') };
}

function daemonConfig(tunnels: number): string {
  const path = join(dir, `tunnels-${tunnels}.toml`);
  const lines = [`[defaults]`, `env = { AUTOSSH_PATH = "${ssh}" }`];
  for (let i = 0; i < tunnels; i++) lines.push('', '[[tunnel]]', `name = "t${i}"`, `args = ["-M", "0", "-N", "host-${i}.example"]`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function medianOf(runs: number, once: () => Promise<Memory>): Promise<Memory> {
  const figures: Memory[] = [];
  for (let i = 0; i < runs; i++) figures.push(await once());
  return { rssKb: median(figures.map((f) => f.rssKb)), privateKb: median(figures.map((f) => f.privateKb)) };
}

async function main(): Promise<void> {
  console.log(`supervisor RSS with every ssh running, ${SETTLE_MS / 1000} s settled; median of ${RUNS}; node ${process.version}`);
  const dropIn = await medianOf(RUNS, () => measure([process.execPath, TS_BIN, '-M', '0', '-N', 'host.example'], dropInEnv(), 1));
  const c14g = existsSync(AUTOSSH_1_4G) ? await medianOf(RUNS, () => measure([AUTOSSH_1_4G, '-M', '0', '-N', 'host.example'], dropInEnv(), 1)) : null;
  const daemon = new Map<number, Memory>();
  for (const tunnels of DAEMON_SIZES) {
    const config = daemonConfig(tunnels);
    daemon.set(tunnels, await medianOf(RUNS, () => measure([process.execPath, TS_BIN, '--config', config], { AUTOSSH_LOGFILE: join(dir, 'daemon.log') }, tunnels)));
  }

  const one = (m: Memory): string => `${mb(m.rssKb)} RSS, ${mb(m.privateKb)} private`;
  console.log(`\none drop-in (autossh-ts -M 0, one tunnel): ${one(dropIn)}${c14g === null ? '' : `; autossh 1.4g: ${one(c14g)}`}\n`);
  const base = daemon.get(1)!.rssKb;
  const c14gHeader = c14g === null ? '' : ' N × 1.4g: RSS |';
  console.log(`| tunnels | one daemon: RSS | its private | per tunnel past the first (RSS) | N drop-ins: RSS summed | their private |${c14gHeader}`);
  console.log(`|---:|---:|---:|---:|---:|---:|${c14g === null ? '' : '---:|'}`);
  for (const [tunnels, m] of daemon) {
    const extra = tunnels > 1 ? `${((m.rssKb - base) / (tunnels - 1)).toFixed(0)} KB` : '-';
    const c14gCell = c14g === null ? '' : ` ${mb(c14g.rssKb * tunnels)} |`;
    console.log(`| ${tunnels} | ${mb(m.rssKb)} | ${mb(m.privateKb)} | ${extra} | ${mb(dropIn.rssKb * tunnels)} | ${mb(dropIn.privateKb * tunnels)} |${c14gCell}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = 1;
});
