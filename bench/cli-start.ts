// How fast autossh-ts starts, beside node's own floor and autossh 1.4g, against the goals of
// "a CLI that starts like node": `-V` wall time over `node -e 0` (paired runs), launch to ssh
// spawn, supervisor RSS with one tunnel. The "ssh" is a script that records when it starts.
// Run: node dist/bench/cli-start.js [runs=15]   (AUTOSSH_TS_BIN=path measures another build)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const runs = Math.max(10, Number(process.argv[2] ?? 15));
const TS_BIN = resolve(process.env.AUTOSSH_TS_BIN ?? resolve(import.meta.dirname, '../autossh-ts.mjs'));
const SUPERVISORS: Array<{ name: string; cmd: string[] }> = [
  { name: 'autossh 1.4g', cmd: ['/usr/lib/autossh/autossh'] },
  { name: 'autossh-ts', cmd: [process.execPath, TS_BIN] },
];
const GOAL_V_OVER_NODE = 1.2;
const GOAL_LAUNCH_TO_SPAWN_MS = 60;
const GOAL_RSS_KB = 45 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'bench-cli-start-'));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function wallMs(cmd: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
  if (r.error) throw r.error;
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** `-V` and `node -e 0` alternately, so both see the same load. */
function versionOverNode(cmd: string[]): { nodeMs: number; versionMs: number; ratio: number } {
  const node: number[] = [];
  const version: number[] = [];
  wallMs([process.execPath, '-e', '0']); // warm the page cache
  wallMs([...cmd, '-V']);
  for (let i = 0; i < runs; i++) {
    node.push(wallMs([process.execPath, '-e', '0']));
    version.push(wallMs([...cmd, '-V']));
  }
  return { nodeMs: median(node), versionMs: median(version), ratio: median(version.map((v, i) => v / node[i]!)) };
}

function fakeSsh(name: string): { path: string; log: string } {
  const log = join(dir, `${name}.log`);
  const path = join(dir, `${name}.sh`);
  writeFileSync(path, `#!/bin/sh\necho "start $(date +%s%N)" >> "${log}"\nexec sleep 100000\n`);
  chmodSync(path, 0o755);
  return { path, log };
}

function launch(cmd: string[], sshPath: string): ChildProcess {
  return spawn(cmd[0]!, [...cmd.slice(1), '-M', '0', '-N', 'host'], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH, AUTOSSH_PATH: sshPath, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: join(dir, 'sup.log') },
  });
}

function firstStartNs(log: string): bigint | null {
  try {
    const line = readFileSync(log, 'utf8').split('\n')[0];
    return line ? BigInt(line.split(' ')[1]!) : null;
  } catch {
    return null;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** launch to ssh spawn (median), and the supervisor's RSS 2 s after ssh started (median of 3) */
async function launchFigures(name: string, cmd: string[]): Promise<{ launchToSpawnMs: number; rssKb: number }> {
  const l2s: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ssh = fakeSsh(`${name.replace(/\W/g, '')}-${i}`);
    const t0 = BigInt(Date.now()) * 1_000_000n;
    const child = launch(cmd, ssh.path);
    let start: bigint | null = null;
    for (let w = 0; w < 250 && (start = firstStartNs(ssh.log)) === null; w++) await sleep(4);
    if (start === null) throw new Error(`${name}: ssh never started`);
    l2s.push(Number(start - t0) / 1e6);
    if (i < 3) {
      await sleep(2000);
      rss.push(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
    }
    await stop(child);
  }
  return { launchToSpawnMs: median(l2s), rssKb: median(rss) };
}

const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');

async function main(): Promise<void> {
  console.log(`autossh-ts bin: ${TS_BIN}; ${runs} paired runs each, medians`);
  const rows: string[][] = [];
  for (const s of SUPERVISORS) {
    const v = versionOverNode(s.cmd);
    const f = await launchFigures(s.name, s.cmd);
    const isTs = s.name === 'autossh-ts';
    rows.push([
      s.name,
      `${v.versionMs.toFixed(1)} ms = ${v.ratio.toFixed(2)}x node -e 0 (${v.nodeMs.toFixed(1)} ms)${isTs ? ` [goal <= ${GOAL_V_OVER_NODE}x: ${mark(v.ratio <= GOAL_V_OVER_NODE)}]` : ''}`,
      `${f.launchToSpawnMs.toFixed(1)} ms${isTs ? ` [goal <= ${GOAL_LAUNCH_TO_SPAWN_MS} ms: ${mark(f.launchToSpawnMs <= GOAL_LAUNCH_TO_SPAWN_MS)}]` : ''}`,
      `${(f.rssKb / 1024).toFixed(1)} MB${isTs ? ` [goal <= ${GOAL_RSS_KB / 1024} MB: ${mark(f.rssKb <= GOAL_RSS_KB)}]` : ''}`,
    ]);
  }
  console.log(['supervisor', '-V wall time', 'launch→ssh spawn', 'RSS, 1 tunnel'].join(' | '));
  for (const row of rows) console.log(row.join(' | '));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
