// One worker thread of a parallel fleet run: runs its slice of the tunnels and posts back
// progress (0..1) and then its FleetPartial (typed arrays transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import { runFleetSlice, type FleetOptions, type TunnelRange } from './run-fleet.js';

export interface WorkerInput {
  options: Omit<FleetOptions, 'onProgress'>;
  range: TunnelRange;
}

export type WorkerMessage =
  | { kind: 'progress'; fraction: number }
  | { kind: 'done'; partial: ReturnType<typeof runFleetSlice> }
  | { kind: 'error'; message: string };

const { options, range } = workerData as WorkerInput;
const port = parentPort!;
try {
  const partial = runFleetSlice({ ...options, onProgress: (fraction) => port.postMessage({ kind: 'progress', fraction } satisfies WorkerMessage) }, range);
  port.postMessage({ kind: 'done', partial } satisfies WorkerMessage, [
    partial.downtimesMs.buffer, partial.sshStarts.buffer, partial.restarts[0].buffer, partial.restarts[1].buffer,
  ] as ArrayBuffer[]);
} catch (error) {
  port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies WorkerMessage);
}
