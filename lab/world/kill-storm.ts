// Kill storms: a supervisor SIGKILLed while it starts ssh after ssh, then /proc searched for an
// ssh that outlived it. Every process of a storm carries its mark in its environment (as is, or
// renamed by the exec plan before the env(1) hop), so a survivor at any hop is found and nothing
// else is touched. Two kinds:
// - daemons (`autossh-ts --config FILE`), the real thing, each killed during its start or during a
//   reload that restarts every tunnel: a Node process per kill, so about 0.25 s of CPU each;
// - spawners: forks of one python3 process, each running ssh's exec plan (./parent-bound-exec.ts
//   in src/adapters, with the spawner's pid) in a burst of children and SIGKILLed at a random
//   moment of it: a few ms each, so hundreds of kills fit in a test.
//
// Where a daemon's kill lands: the daemon logs "ssh child pid is N" (to its stderr, AUTOSSH_DEBUG, a
// synchronous write) right after the spawn returned, that is while the new child may still be
// on its way to setting its death signal: the window a SIGKILL must not find open. Each daemon
// is killed when a randomly drawn one of those lines arrives, during its start or during a
// reload that restarts every tunnel, so the kills fall inside the spawn bursts rather than
// beside them.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecPlan } from '../../src/adapters/parent-bound-exec.js';
import { killIfSame, readProc, type ProcInfo } from './processes.js';

export interface DaemonKillStormOptions {
  /** the daemon's program and leading arguments: [node, dist/autossh-ts.mjs] */
  command: readonly string[];
  /** how many daemons to start and kill */
  kills: number;
  tunnelsPerDaemon: number;
  /** daemons alive at once */
  parallel: number;
  /** the share of kills that land in a reload rather than the start (0..1) */
  reloadShare: number;
  /** for the draws: same seed, same kill points */
  seed: number;
  /** one daemon's bound: a daemon that has not reached its kill point by then is killed anyway */
  daemonTimeoutMs?: number;
  /** how long after the last kill /proc is searched (death signals are immediate; exits are not) */
  settleMs?: number;
}

export interface DaemonKillStormResult {
  kills: number;
  startKills: number;
  reloadKills: number;
  /** daemons that reached no kill point in time (killed anyway, not counted as aimed) */
  timeouts: number;
  /** processes of the storm alive after their daemon died: each an orphaned ssh (or a hop of one) */
  survivors: ProcInfo[];
  elapsedMs: number;
}

const SPAWNED = /ssh child pid is \d+/g;

/** A small deterministic generator (mulberry32): the kill points of a seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function configText(tunnels: number, ssh: string, generation: number): string {
  const lines: string[] = [];
  for (let i = 0; i < tunnels; i++) {
    lines.push('[[tunnel]]', `name = "t${i}"`, `args = ["-M", "0", "-N", "host${i}.gen${generation}"]`, `env = { AUTOSSH_PATH = "${ssh}" }`, '');
  }
  return lines.join('\n');
}

interface DaemonPlan {
  index: number;
  /** kill during the reload (else during the start) */
  inReload: boolean;
  /** kill when this many spawns of that phase have been logged (1-based) */
  atSpawn: number;
}

/** Runs one daemon to its kill point; resolves once it has exited. */
function runOne(options: DaemonKillStormOptions, dir: string, ssh: string, mark: string, plan: DaemonPlan): Promise<'aimed' | 'timeout'> {
  const file = join(dir, `d${plan.index}.toml`);
  writeFileSync(file, configText(options.tunnelsPerDaemon, ssh, 0));
  const [program, ...leading] = options.command;
  const child = spawn(program!, [...leading, '--config', file], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AUTOSSH_LOGFILE: '/dev/null', AUTOSSH_DEBUG: '1', KILL_STORM_MARK: mark },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve) => {
    let outcome: 'aimed' | 'timeout' = 'timeout';
    let spawns = 0;
    let reloading = false;
    let killed = false;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      clearTimeout(bound);
      child.kill('SIGKILL');
    };
    const bound = setTimeout(kill, options.daemonTimeoutMs ?? 15_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      if (killed) return;
      spawns += text.match(SPAWNED)?.length ?? 0;
      if (!plan.inReload || reloading) {
        if (spawns >= plan.atSpawn) {
          outcome = 'aimed';
          kill();
        }
        return;
      }
      if (spawns >= options.tunnelsPerDaemon) {
        // every tunnel has started: change every definition and reload, counting spawns anew
        reloading = true;
        spawns = 0;
        writeFileSync(file, configText(options.tunnelsPerDaemon, ssh, 1));
        child.kill('SIGHUP');
      }
    });
    child.on('exit', () => {
      clearTimeout(bound);
      resolve(outcome);
    });
  });
}

/** Every live (not zombie) process carrying the mark: in its argv or its environment. */
export function markedProcesses(mark: string): ProcInfo[] {
  const needle = `KILL_STORM_MARK=${mark}`;
  const found: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ = '';
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'utf8');
    } catch {
      continue; // gone, or not ours to read
    }
    const info = readProc(Number(name));
    if (!info || info.state === 'Z') continue;
    // ssh has it as is; a hop before it under a name of the exec plan's (AUTOSSH_TS_ENV_n=...)
    if (environ.split('\0').some((entry) => entry === needle || entry.endsWith(`=${needle}`)) || info.argv.includes(needle)) found.push(info);
  }
  return found;
}

export async function runDaemonKillStorm(options: DaemonKillStormOptions): Promise<DaemonKillStormResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `kill-storm-${process.pid}-`));
  const mark = stormMark();
  const ssh = join(dir, 'ssh');
  writeFileSync(ssh, '#!/bin/sh\nexec sleep 300\n');
  chmodSync(ssh, 0o755);
  const draw = random(options.seed);
  const plans: DaemonPlan[] = Array.from({ length: options.kills }, (_, index) => ({
    index,
    inReload: draw() < options.reloadShare,
    atSpawn: 1 + Math.floor(draw() * options.tunnelsPerDaemon),
  }));
  let timeouts = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    // bounded: each worker takes the next plan until none is left
    while (next < plans.length) {
      const plan = plans[next++]!;
      if ((await runOne(options, dir, ssh, mark, plan)) === 'timeout') timeouts++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500));
    const survivors = markedProcesses(mark);
    for (const survivor of survivors) killIfSame(survivor);
    const reloadKills = plans.filter((plan) => plan.inReload).length;
    return {
      kills: plans.length,
      startKills: plans.length - reloadKills,
      reloadKills,
      timeouts,
      survivors,
      elapsedMs: Date.now() - started,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let storms = 0;
/** Unique per storm on this machine (other runs of other helpers may storm at the same time). */
function stormMark(): string {
  return `${process.pid}-${Date.now()}-${++storms}`;
}

/** The spawners' python: read the plan, fork a spawner per kill, each forks and dies. */
const SPAWNER_PY = `
import json, os, random, signal, sys, time
spec = json.load(sys.stdin)
draw = random.Random(spec["seed"])
argv = [spec["argv0"]] + spec["args"]
for _ in range(spec["kills"]):
    forks = draw.randint(1, spec["children"])
    linger = draw.uniform(0, spec["lingerMaxMs"] / 1000)
    spawner = os.fork()
    if spawner == 0:
        argv[spec["pidIndex"]] = str(os.getpid())
        for _ in range(forks):
            if os.fork() == 0:
                try:
                    # not our stdout and stderr: whoever reads them would wait for a survivor
                    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                    os.dup2(1, 2)
                    os.execve(spec["file"], argv, spec["env"])
                finally:
                    os._exit(127)
        if linger > 0:
            time.sleep(linger)
        os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(spawner, 0)
`;

export interface SpawnKillStormOptions {
  /** ssh's exec plan for `parentPid` (each spawner puts its own there) and an environment with `mark` in it */
  plan: (parentPid: number, mark: Record<string, string>) => ExecPlan;
  kills: number;
  /** each spawner forks 1..children (drawn) before it dies */
  children: number;
  /** and then lives 0..lingerMaxMs more (drawn): how far into its children's start it dies */
  lingerMaxMs: number;
  seed: number;
  settleMs?: number;
}

export interface SpawnKillStormResult {
  kills: number;
  survivors: ProcInfo[];
  elapsedMs: number;
}

export async function runSpawnKillStorm(options: SpawnKillStormOptions): Promise<SpawnKillStormResult> {
  const started = Date.now();
  const mark = stormMark();
  // a pid no spawner has (above the kernel's pid_max limit): where it lands in the plan is where
  // each spawner writes its own
  const PLACEHOLDER = 2 ** 22 + 1;
  const plan = options.plan(PLACEHOLDER, { KILL_STORM_MARK: mark });
  const pidIndex = plan.args.indexOf(String(PLACEHOLDER));
  if (pidIndex < 0) throw new Error('the plan does not carry its parent pid: nothing to storm');
  // argv[0] is the plan's argv0: the placeholder's index in argv is one more than in args
  const spec = { file: plan.file, argv0: plan.argv0, args: plan.args, env: plan.env, pidIndex: pidIndex + 1, kills: options.kills, children: options.children, lingerMaxMs: options.lingerMaxMs, seed: options.seed };
  const run = spawnSync('python3', ['-c', SPAWNER_PY], { input: JSON.stringify(spec), encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`the spawners failed: ${run.error?.message ?? ''} ${run.stderr}`);
  await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500));
  const survivors = markedProcesses(mark);
  for (const survivor of survivors) killIfSame(survivor);
  return { kills: options.kills, survivors, elapsedMs: Date.now() - started };
}
