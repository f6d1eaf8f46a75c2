// 10,000 tunnels for 30 days on wifi-flaky: wall time, heap per tunnel, and the busiest second
// of restarts. Run with `node --expose-gc dist/bench/fleet-wifi.js [tunnels] [days] [jitterSeconds]`
// (AUTOSSH_JITTER, default 0: each tunnel then has a config of its own, seeded from its stream).
// `node --expose-gc dist/bench/fleet-wifi.js 100000 1` is the memory check: 100,000 tunnels x 1 day
// must fit in 1 GB (peak RSS, sampled at every 1% step).
// Prints figures; asserts nothing.
import { builtinModel } from '../sim/fleet/builtin-models.js';
import { DEFAULT_FLEET_CONFIG, runFleet } from '../sim/fleet/run-fleet.js';

const tunnels = Number(process.argv[2] ?? 10_000);
const days = Number(process.argv[3] ?? 30);
const jitterSeconds = Number(process.argv[4] ?? 0);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log('fleet-wifi: run with node --expose-gc for heap figures');
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
let rssPeak = process.memoryUsage().rss;
const t0 = performance.now();
const env: Record<string, string> = jitterSeconds > 0 ? { AUTOSSH_JITTER: String(jitterSeconds) } : {};
const result = runFleet({
  tunnels, durationMs: days * 86_400_000, model: builtinModel('wifi-flaky')!, seed: 1, config: { ...DEFAULT_FLEET_CONFIG, env },
  onProgress: (fraction) => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    // sample the live heap (after a GC) at a few points of the run
    if (Math.round(fraction * 100) % 25 === 0) {
      gc?.();
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
  },
});
const seconds = (performance.now() - t0) / 1000;
console.log(`fleet-wifi: ${tunnels} tunnels x ${days} d${jitterSeconds > 0 ? `, AUTOSSH_JITTER=${jitterSeconds}` : ''}: `
  + `${seconds.toFixed(1)} s wall, ${result.faults.total} faults, ${result.sshStarts.total} ssh starts, ${result.gaveUp} gave up, `
  + `at most ${result.sshStarts.peakRestartsPerSecond} restarts in one second`);
console.log(`fleet-wifi: live heap ${((heapPeak - heapBefore) / 1048576).toFixed(1)} MiB over the baseline = `
  + `${((heapPeak - heapBefore) / tunnels / 1024).toFixed(2)} KiB per tunnel (sampled after GC at 25% steps); `
  + `peak RSS ${(rssPeak / 1048576).toFixed(0)} MiB`);
