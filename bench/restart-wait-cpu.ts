// What tunnels that cannot work cost a daemon once its restart policy has settled into the capped
// wait: the daemon's own CPU (utime + stime from /proc/PID/stat) over a window, beside the same
// daemon with tunnels that run (an idle floor) and with the start limit off (each failing tunnel
// restarted every restart_sec for ever). Every tunnel's AUTOSSH_PATH names no file (ssh cannot
// be executed, D7), so each run ends at once; the policy is the daemon's default (restart_sec 5,
// 5 starts in 60 s, waits doubling up to 300 s, less up to a tenth of jitter).
// Run: npm run build && node dist/bench/restart-wait-cpu.js
//   RESTART_WAIT_WINDOW_S (default 600: ten minutes), RESTART_WAIT_TUNNELS (default 10)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const WINDOW_S = Number(process.env.RESTART_WAIT_WINDOW_S ?? 600);
const TUNNELS = Number(process.env.RESTART_WAIT_TUNNELS ?? 10);
if (!(WINDOW_S > 0) || !(TUNNELS > 0 && TUNNELS <= 1000)) throw new Error('RESTART_WAIT_WINDOW_S > 0 and RESTART_WAIT_TUNNELS 1..1000, please');
const TS_BIN = resolve(import.meta.dirname, '../autossh-ts.mjs');
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const dir = mkdtempSync(join(tmpdir(), 'bench-restart-wait-'));

interface Daemon {
  name: string;
  child: ChildProcess;
  statusPort: number;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** utime + stime of a process, in seconds */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name may hold spaces: fields count from after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

async function startDaemon(name: string, ssh: string, extra: string[]): Promise<Daemon> {
  const statusPort = await freePort();
  const file = join(dir, `${name}.toml`);
  const tunnels = Array.from({ length: TUNNELS }, (_, i) => [
    '[[tunnel]]', `name = "t${i}"`, `args = ["-M", "0", "-N", "host${i}.example"]`, `env = { AUTOSSH_PATH = "${ssh}" }`, '',
  ].join('\n'));
  writeFileSync(file, ['[status]', `listen = "127.0.0.1:${statusPort}"`, '', '[defaults]', ...extra, '', ...tunnels].join('\n'));
  const child = spawn(process.execPath, [TS_BIN, '--config', file], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH, AUTOSSH_LOGFILE: join(dir, `${name}.log`) },
  });
  return { name, child, statusPort };
}

interface Report {
  runs: number;
  phase: string;
  restartSeconds: number | null;
}

async function reports(daemon: Daemon): Promise<Report[]> {
  const answer = (await (await fetch(`http://127.0.0.1:${daemon.statusPort}/status`)).json()) as { tunnels: Report[] };
  return answer.tunnels;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function main(): Promise<void> {
  const working = join(dir, 'ssh-sleeps');
  writeFileSync(working, '#!/bin/sh\nexec sleep 100000\n');
  chmodSync(working, 0o755);
  const missing = join(dir, 'no-such-ssh');
  const daemons = [
    await startDaemon('idle floor (tunnels run)', working, []),
    await startDaemon('cannot work, default policy', missing, []),
    await startDaemon('cannot work, start limit off', missing, ['start_limit_interval_sec = 0']),
  ];
  try {
    await sleep(2_000); // every daemon up and answering
    const before = daemons.map((d) => cpuSeconds(d.child.pid!));
    const runsBefore = await Promise.all(daemons.map(reports));
    const startedMs = Date.now();
    process.stdout.write(`restart-wait-cpu: ${TUNNELS} tunnel(s) per daemon, a window of ${WINDOW_S} s (node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})\n`);
    // a line a minute, so a long window shows the wait growing and settling
    while (Date.now() - startedMs < WINDOW_S * 1000) {
      await sleep(Math.min(60_000, WINDOW_S * 1000 - (Date.now() - startedMs)));
      const failing = await reports(daemons[1]!);
      const left = failing.map((r) => r.restartSeconds ?? 0);
      process.stdout.write(`  ${Math.round((Date.now() - startedMs) / 1000)} s: default policy: ${failing.reduce((n, r) => n + r.runs, 0)} runs so far, next restarts due in ${Math.min(...left).toFixed(0)}-${Math.max(...left).toFixed(0)} s\n`);
    }
    const windowS = (Date.now() - startedMs) / 1000;
    const after = daemons.map((d) => cpuSeconds(d.child.pid!));
    const runsAfter = await Promise.all(daemons.map(reports));
    for (const [i, daemon] of daemons.entries()) {
      const cpuS = after[i]! - before[i]!;
      const runs = runsAfter[i]!.reduce((n, r) => n + r.runs, 0) - runsBefore[i]!.reduce((n, r) => n + r.runs, 0);
      process.stdout.write(
        `${daemon.name.padEnd(30)} CPU ${cpuS.toFixed(2)} s in ${windowS.toFixed(0)} s = ${((100 * cpuS) / windowS).toFixed(3)} % of a core ` +
          `(${((1000 * cpuS) / (windowS / 60)).toFixed(1)} ms a minute); runs started in the window: ${runs}\n`,
      );
    }
  } finally {
    for (const daemon of daemons) daemon.child.kill('SIGTERM');
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
