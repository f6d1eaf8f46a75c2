// autossh-ts against autossh 1.4g on real faults, side by side: each chaos run starts both in
// front of one sshd (each on its own Toxiproxy proxy, or both straight to sshd in its network
// namespace for the namespace schedules) and applies every fault to both at once. Prints, per
// configuration, schedule and supervisor, the median and worst detection and recovery, and who
// ended the ssh running at each fault's start.
//
//   node dist/bench/chaos-compare.js [--rounds N] [--schedules a,b,...]
//     (needs sshd, ssh and /usr/lib/autossh/autossh; the namespace schedules need root)
import { fileURLToPath } from 'node:url';
import { runChaos } from '../lab/chaos/run.js';
import type { ChaosResult } from '../lab/chaos/result.js';
import { builtinSchedule } from '../lab/chaos/schedule/builtin.js';
import { medianAndWorst, type FaultMeasurement } from '../lab/chaos/measure.js';
import { formatSeconds } from '../lab/chaos/schedule/duration.js';

const AUTOSSH_TS = fileURLToPath(new URL('../src/cli/autossh.js', import.meta.url));
const AUTOSSH_1_4G = '/usr/lib/autossh/autossh';
/** Default: the Toxiproxy blackholes, the closing and the pausing forms. */
const DEFAULT_SCHEDULES = ['blackhole', 'blackhole-pause', 'flap', 'flap-pause'];

const CONFIGS: Array<{ name: string; args: string[]; env: Record<string, string> }> = [
  {
    name: '-M 0, ServerAlive 1 s x 2',
    args: ['-M', '0', '-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2'],
    env: {},
  },
  {
    // autossh's own monitoring, echo form (-M port:echoport) against the lab's echo service;
    // no ServerAlive, so detection is autossh's: a test every 4 s, net timeout POLL/2 = 2 s.
    name: '-M port (echo), POLL 4 s',
    args: ['-M', 'echo'],
    env: { AUTOSSH_POLL: '4', AUTOSSH_FIRST_POLL: '4' },
  },
];

function schedulesFromArgv(): string[] {
  const i = process.argv.indexOf('--schedules');
  if (i < 0) return DEFAULT_SCHEDULES;
  const names = (process.argv[i + 1] ?? '').split(',').filter(Boolean);
  for (const name of names) if (!builtinSchedule(name)) throw new Error(`--schedules: no built-in schedule "${name}"`);
  if (names.length === 0) throw new Error('--schedules: expected built-in schedule names, comma-separated');
  return names;
}

/** "serverAlive 3, faultEnd 1": who ended the ssh running at each fault's start. */
function endedByTally(ms: readonly FaultMeasurement[]): string {
  const counts = new Map<string, number>();
  for (const m of ms) counts.set(m.attribution.endedBy, (counts.get(m.attribution.endedBy) ?? 0) + 1);
  return [...counts].map(([cause, n]) => `${cause} ${n}`).join(', ');
}

function roundsFromArgv(): number {
  const i = process.argv.indexOf('--rounds');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 2;
  if (!Number.isInteger(n) || n < 1) throw new Error('--rounds: expected a whole number of 1 or more');
  return n;
}

async function main(): Promise<void> {
  const rounds = roundsFromArgv();
  const schedules = schedulesFromArgv();
  const rows: string[][] = [['configuration', 'schedule', 'supervisor', 'faults', 'detect median', 'detect worst', 'recover median', 'recover worst', 'ended by']];
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  for (const config of CONFIGS) {
    for (const scheduleName of schedules) {
      const bySupervisor = new Map<string, FaultMeasurement[]>();
      for (let round = 1; round <= rounds; round++) {
        process.stderr.write(`${config.name} / ${scheduleName} / round ${round} of ${rounds}...\n`);
        const result: ChaosResult = await runChaos({
          schedule: builtinSchedule(scheduleName)!,
          supervisors: [
            { label: 'autossh-ts', cmd: [process.execPath, AUTOSSH_TS] },
            { label: 'autossh 1.4g', cmd: [AUTOSSH_1_4G] },
          ],
          supervisorArgs: config.args,
          env: config.env,
          signal: controller.signal,
        });
        for (const sup of result.supervisors) {
          bySupervisor.set(sup.label, [...(bySupervisor.get(sup.label) ?? []), ...sup.measurements]);
        }
      }
      for (const [label, ms] of bySupervisor) {
        const d = medianAndWorst(ms.map((m) => m.detectMs));
        const r = medianAndWorst(ms.map((m) => m.recoverMs));
        rows.push([
          config.name,
          scheduleName,
          label,
          String(ms.length),
          formatSeconds(d.median) + (d.missing ? ` (${d.missing} never)` : ''),
          formatSeconds(d.worst),
          formatSeconds(r.median) + (r.missing ? ` (${r.missing} not recovered)` : ''),
          formatSeconds(r.worst),
          endedByTally(ms),
        ]);
      }
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const text = rows.map((row) => row.map((cell, c) => (c < 3 || c === 8 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
  process.stdout.write(`${text}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos-compare: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
