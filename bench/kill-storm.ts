// How many ssh outlive a SIGKILLed daemon: issue 16's reproduction at full size (300 tunnels a
// daemon, 200 kills, in the start and in a reload that restarts every tunnel), on the shipped
// bundle. The test (test/e2e/kill-storm.test.ts) runs a smaller storm; this prints the figure.
// Run: node dist/bench/kill-storm.js [kills=200] [tunnels=300] [parallel=2] [seed=16]
//      (AUTOSSH_TS_BIN=path measures another build)
import { resolve } from 'node:path';
import { runDaemonKillStorm } from '../lab/world/kill-storm.js';

const [kills = 200, tunnels = 300, parallel = 2, seed = 16] = process.argv.slice(2).map(Number);
const bin = resolve(process.env.AUTOSSH_TS_BIN ?? resolve(import.meta.dirname, '../autossh-ts.mjs'));

const result = await runDaemonKillStorm({
  command: [process.execPath, bin],
  kills,
  tunnelsPerDaemon: tunnels,
  parallel,
  reloadShare: 0.5,
  seed,
  daemonTimeoutMs: 60_000,
});
console.log(`kill storm: ${result.kills} daemons SIGKILLed (${result.startKills} while starting, ${result.reloadKills} in a reload), ${tunnels} tunnels each, ${parallel} at once, seed ${seed}`);
console.log(`  kill points not reached in time: ${result.timeouts}`);
console.log(`  ssh left running after their daemon: ${result.survivors.length}`);
for (const p of result.survivors) console.log(`    pid ${p.pid} ppid ${p.ppid} ${p.comm}: ${p.argv.slice(0, 4).join(' ')}`);
console.log(`  wall time: ${(result.elapsedMs / 1000).toFixed(1)} s`);
