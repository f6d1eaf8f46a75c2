// What binding ssh to our life costs per start: from spawn() to the exit of an "ssh" that exits at
// once (/usr/bin/true), for a direct exec, setpriv alone (before issue 16) and the parent-bound
// plan (setpriv, sh's parent check, env -i -S: src/adapters/parent-bound-exec.ts). Alternated runs,
// medians and the 90th percentile, in ms.
// Run: node dist/bench/ssh-exec-cost.js [runs=200]
import { spawn } from 'node:child_process';
import { parentBoundExec, SETPRIV, type ExecPlan } from '../src/adapters/parent-bound-exec.js';

const runs = Math.max(20, Number(process.argv[2] ?? 200));
const TRUE = '/usr/bin/true';
const env = { ...process.env };

const PLANS: Array<{ name: string; plan: ExecPlan }> = [
  { name: 'direct exec', plan: { file: TRUE, args: ['-N', 'host'], argv0: TRUE, env, bound: false } },
  { name: 'setpriv --pdeathsig (before)', plan: { file: SETPRIV, args: ['--pdeathsig', 'SIGKILL', '--', TRUE, '-N', 'host'], argv0: 'ssh', env, bound: true } },
  { name: 'setpriv + parent check + env -i -S (now)', plan: parentBoundExec(TRUE, ['-N', 'host'], env, process.pid) },
];

function once(plan: ExecPlan): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(plan.file, plan.args, { argv0: plan.argv0, env: plan.env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`exit ${code}`))));
  });
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const times = PLANS.map(() => [] as number[]);
for (let i = 0; i < runs; i++) {
  for (const [j, { plan }] of PLANS.entries()) times[j]!.push(await once(plan));
}
console.log(`spawn to exit of an "ssh" that exits at once, ${runs} runs each, alternated:`);
for (const [j, { name }] of PLANS.entries()) {
  console.log(`  ${name.padEnd(40)} median ${quantile(times[j]!, 0.5).toFixed(2)} ms, p90 ${quantile(times[j]!, 0.9).toFixed(2)} ms`);
}
