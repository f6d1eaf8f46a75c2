// 10,000 tunnels for 30 days on wifi-flaky: wall time and heap per tunnel. Run with
// `node --expose-gc dist/bench/fleet-wifi.js [tunnels] [days]`. Prints figures; asserts nothing.
import { builtinModel } from '../sim/fleet/builtin-models.js';
import { DEFAULT_FLEET_CONFIG, runFleet } from '../sim/fleet/run-fleet.js';

const tunnels = Number(process.argv[2] ?? 10_000);
const days = Number(process.argv[3] ?? 30);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log('fleet-wifi: run with node --expose-gc for heap figures');
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
const t0 = performance.now();
const result = runFleet({
  tunnels, durationMs: days * 86_400_000, model: builtinModel('wifi-flaky')!, seed: 1, config: DEFAULT_FLEET_CONFIG,
  onProgress: (fraction) => {
    // sample the live heap (after a GC) at a few points of the run
    if (Math.round(fraction * 100) % 25 === 0) {
      gc?.();
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
  },
});
const seconds = (performance.now() - t0) / 1000;
console.log(`fleet-wifi: ${tunnels} tunnels x ${days} d: ${seconds.toFixed(1)} s wall, ${result.faults.total} faults, `
  + `${result.sshStarts.total} ssh starts, ${result.gaveUp} gave up`);
console.log(`fleet-wifi: live heap ${((heapPeak - heapBefore) / 1048576).toFixed(1)} MiB over the baseline = `
  + `${((heapPeak - heapBefore) / tunnels / 1024).toFixed(2)} KiB per tunnel (sampled after GC at 25% steps)`);
