// autossh-ts against autossh 1.4g on real faults, side by side: each chaos run starts both on
// their own Toxiproxy proxy in front of one sshd and applies every fault to both proxies at once.
// Prints, per configuration, schedule and supervisor, the median and worst detection and recovery.
//
//   node dist/bench/chaos-compare.js [--rounds N]     (needs sshd, ssh and /usr/lib/autossh/autossh)
import { fileURLToPath } from 'node:url';
import { runChaos } from '../lab/chaos/run.js';
import type { ChaosResult } from '../lab/chaos/result.js';
import { builtinSchedule } from '../lab/chaos/schedule/builtin.js';
import { medianAndWorst, type FaultMeasurement } from '../lab/chaos/measure.js';
import { formatSeconds } from '../lab/chaos/schedule/duration.js';

const AUTOSSH_TS = fileURLToPath(new URL('../src/cli/autossh.js', import.meta.url));
const AUTOSSH_1_4G = '/usr/lib/autossh/autossh';
const SCHEDULES = ['blackhole', 'flap'];

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

function roundsFromArgv(): number {
  const i = process.argv.indexOf('--rounds');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 2;
  if (!Number.isInteger(n) || n < 1) throw new Error('--rounds: expected a whole number of 1 or more');
  return n;
}

async function main(): Promise<void> {
  const rounds = roundsFromArgv();
  const rows: string[][] = [['configuration', 'schedule', 'supervisor', 'faults', 'detect median', 'detect worst', 'recover median', 'recover worst']];
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  for (const config of CONFIGS) {
    for (const scheduleName of SCHEDULES) {
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
        ]);
      }
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const text = rows.map((row) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
  process.stdout.write(`${text}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos-compare: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
