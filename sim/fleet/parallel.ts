// A fleet slice spread over worker threads: each worker runs a contiguous sub-slice of the
// tunnels, and the partials combine exactly (run-fleet.ts), so the figures are the same for
// any number of workers. One worker runs in this thread.
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { combinePartials, FleetError, runFleetSlice, sliceOf, type FleetOptions, type FleetPartial, type TunnelRange } from './run-fleet.js';
import type { WorkerInput, WorkerMessage } from './fleet-worker.js';

/** bound: more threads than this only cost memory */
export const MAX_WORKERS = 256;

export function defaultWorkers(): number {
  return availableParallelism();
}

/** The compiled worker script; under a TypeScript runner (vitest) the built one in dist/. */
function workerScript(): URL {
  const here = new URL('./fleet-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/sim/fleet/fleet-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new FleetError(`no fleet worker script at ${fileURLToPath(here)} or ${fileURLToPath(built)}: run npm run build`);
}

export async function runFleetParallel(options: FleetOptions, range: TunnelRange, workers: number): Promise<FleetPartial> {
  const size = range.to - range.from;
  const n = Math.max(1, Math.min(workers, size, MAX_WORKERS));
  if (n === 1) return runFleetSlice(options, range);
  const { onProgress, ...plain } = options;
  const fractions = new Array<number>(n).fill(0);
  const script = workerScript();
  const parts = await Promise.all(Array.from({ length: n }, (_, k) => {
    const sub = sliceOf(size, k, n);
    const input: WorkerInput = { options: plain, range: { from: range.from + sub.from, to: range.from + sub.to } };
    return new Promise<FleetPartial>((resolve, reject) => {
      const worker = new Worker(script, { workerData: input });
      let settled = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'progress') {
          fractions[k] = message.fraction;
          onProgress?.(fractions.reduce((a, b) => a + b, 0) / n);
        } else if (message.kind === 'done') {
          settled = true;
          resolve(message.partial);
        } else {
          settled = true;
          reject(new FleetError(message.message));
        }
      });
      worker.on('error', (error) => { settled = true; reject(error); });
      worker.on('exit', (code) => {
        if (!settled) reject(new FleetError(`fleet worker ${k + 1} of ${n} exited with code ${code} before its result`));
      });
    });
  }));
  return parts.reduce((a, b) => combinePartials(a, b));
}
