// autossh-ts beside autossh 1.4g, in one run: time from launch to ssh spawn, supervisor RSS with
// one tunnel, CPU over idle seconds, time from an ssh exit to the next spawn. The "ssh" is a
// tiny script that records when it starts and exits, so only the supervisors are measured.
// Run: node dist/bench/real-vs-1.4g.js [idleSeconds=60]
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const idleSeconds = Number(process.argv[2] ?? 60);
const TS_CLI = resolve(import.meta.dirname, '../autossh-ts.mjs'); // the shipped bin (npm run build)
const SUPERVISORS: Array<{ name: string; cmd: string[] }> = [
  { name: 'autossh 1.4g', cmd: ['/usr/lib/autossh/autossh'] },
  { name: 'autossh-ts', cmd: [process.execPath, TS_CLI] },
];
const dir = mkdtempSync(join(tmpdir(), 'bench-real-'));
const CLK_TCK = 100;

function fakeSsh(name: string, lifeSeconds: number | null): { path: string; log: string } {
  const log = join(dir, `${name}.log`);
  const path = join(dir, `${name}.sh`);
  const life = lifeSeconds === null ? 'exec sleep 100000' : `sleep ${lifeSeconds}; echo "exit $(date +%s%N)" >> "${log}"; exit 255`;
  writeFileSync(path, `#!/bin/sh\necho "start $(date +%s%N)" >> "${log}"\n${life}\n`);
  chmodSync(path, 0o755);
  return { path, log };
}

function launch(cmd: string[], sshPath: string, extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(cmd[0]!, [...cmd.slice(1), '-M', '0', '-N', 'host'], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH, AUTOSSH_PATH: sshPath, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: join(dir, 'sup.log'), ...extraEnv },
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const lines = (log: string): string[] => {
  try {
    return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stop = async (child: ChildProcess): Promise<void> => {
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
};

async function launchToSpawnMs(cmd: string[], runs = 7): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ssh = fakeSsh(`l2s-${i}-${samples.length}-${cmd.length}`, null);
    const t0 = BigInt(Date.now()) * 1_000_000n;
    const child = launch(cmd, ssh.path);
    for (let w = 0; w < 100 && lines(ssh.log).length === 0; w++) await sleep(20);
    const start = BigInt(lines(ssh.log)[0]!.split(' ')[1]!);
    samples.push(Number(start - t0) / 1e6);
    await stop(child);
  }
  return median(samples);
}

function procStat(pid: number): { rssKb: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { rssKb, cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

async function exitToRespawnMs(cmd: string[]): Promise<number> {
  // runs of 1 s: five restarts stay under 1.4g's N_FAST_TRIES, so no backoff is involved
  const ssh = fakeSsh(`respawn-${cmd.length}`, 1);
  const child = launch(cmd, ssh.path);
  for (let w = 0; w < 200 && lines(ssh.log).filter((l) => l.startsWith('start')).length < 6; w++) await sleep(50);
  await stop(child);
  const events = lines(ssh.log).map((l) => l.split(' ') as [string, string]);
  const gaps: number[] = [];
  for (let i = 1; i < events.length; i++) {
    if (events[i - 1]![0] === 'exit' && events[i]![0] === 'start') gaps.push(Number(BigInt(events[i]![1]) - BigInt(events[i - 1]![1])) / 1e6);
  }
  return median(gaps);
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const idle: Array<{ name: string; child: ChildProcess; before: ReturnType<typeof procStat> }> = [];
  for (const s of SUPERVISORS) {
    const child = launch(s.cmd, fakeSsh(`idle-${s.name.length}`, null).path);
    await sleep(2000);
    idle.push({ name: s.name, child, before: procStat(child.pid!) });
  }
  await sleep(idleSeconds * 1000);
  const idleFigures = new Map<string, { rssKb: number; cpuMs: number }>();
  for (const { name, child, before } of idle) {
    const after = procStat(child.pid!);
    idleFigures.set(name, { rssKb: after.rssKb, cpuMs: ((after.cpuTicks - before.cpuTicks) * 1000) / CLK_TCK });
    await stop(child);
  }
  for (const s of SUPERVISORS) {
    const l2s = await launchToSpawnMs(s.cmd);
    const respawn = await exitToRespawnMs(s.cmd);
    const f = idleFigures.get(s.name)!;
    rows.push([s.name, l2s.toFixed(1), String(f.rssKb), f.cpuMs.toFixed(0), respawn.toFixed(1)]);
  }
  const header = ['supervisor', 'launch→spawn ms (median of 7)', 'RSS KB (1 tunnel)', `CPU ms over ${idleSeconds} idle s`, 'exit→respawn ms (median)'];
  console.log(header.join(' | '));
  for (const row of rows) console.log(row.join(' | '));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
