// The daemon's status side, when the file has [status]: the metrics and the HTTP endpoint
// (/ready /status /metrics), reading the daemon's trackers at every request.
import { VERSION } from '../cli/help.js';
import type { StatusListen } from './config/types.js';
import { createDaemonMetrics, type DaemonMetrics } from './metrics.js';
import { startStatusServer, type StatusServer } from './status-server.js';
import type { TrackerSource } from './status-types.js';
import { statusSourceOf } from './tunnel-tracker.js';

/** Bound before any tunnel starts, so a taken port starts nothing; a StatusListenError says why it could not. */
export async function startStatusSide(listen: StatusListen, source: TrackerSource, configPath: string): Promise<{ server: StatusServer; metrics: DaemonMetrics }> {
  const trackers = { trackers: () => source.trackers() };
  const metrics = createDaemonMetrics(trackers, { processMetrics: true });
  const info = { pid: process.pid, configPath, startedAt: new Date().toISOString(), version: VERSION };
  const server = await startStatusServer(listen, statusSourceOf(trackers, info), metrics);
  return { server, metrics };
}
