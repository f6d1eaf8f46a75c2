// The daemon's Prometheus metrics: a view of its trackers, brought up to date at every scrape.
// Nothing is incremented as effects pass: a tracker counts, and a scrape copies its counts here.
// A tunnel removed by a reload has no series from the next scrape on, and a changed tunnel (a
// new tracker) starts its counters from 0, which Prometheus reads as a counter reset.
// A Registry of its own per daemon (never prom-client's global one): two daemons in one test
// process, or a library user's own metrics, never mix.
import { Counter, Gauge, Registry } from 'prom-client';
import { RUN_END_REASONS } from './restart-policy.js';
import type { TrackerSource, TunnelTracker } from './status-types.js';

export type ReloadResult = 'ok' | 'failed';

export interface DaemonMetrics {
  readonly registry: Registry;
  /** the Content-Type of text() */
  readonly contentType: string;
  /** the daemon calls this once per reload attempt (SIGHUP): the new file taken, or refused */
  noteReload(result: ReloadResult): void;
  /** the exposition text, as of now */
  text(): Promise<string>;
}

export interface MetricsOptions {
  /**
   * process_cpu_seconds_total, process_resident_memory_bytes, process_start_time_seconds and
   * nodejs_heap_size_used_bytes, read at scrape time. Not prom-client's default set: its event-loop
   * lag monitor wakes an idle daemon every 10 ms.
   */
  processMetrics?: boolean;
}

const TUNNEL = ['tunnel'] as const;

/** One tunnel's series as last published: the tracker they came from and each counter's value. */
interface Published {
  tracker: TunnelTracker;
  starts: number;
  exits: Map<string, number>;
  decisions: Map<string, number>;
  restarts: Map<string, number>;
}

/** Move one labelled counter up to its tracker's count (counts only grow within a tracker). */
function publish<L extends string>(counter: Counter<L>, values: Map<string, number>, labels: Record<L, string>, key: string, n: number): void {
  const was = values.get(key);
  if (was !== undefined && n <= was) return;
  counter.inc(labels, n - (was ?? 0));
  values.set(key, n);
}

export function createDaemonMetrics(source: TrackerSource, options: MetricsOptions = {}): DaemonMetrics {
  const registry = new Registry();
  const registers = [registry];

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> => new Counter({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> => new Gauge({ name, help, labelNames, registers });

  const tunnels = gauge('autossh_tunnels', 'Tunnels in the running configuration.');
  const up = gauge('autossh_tunnel_up', '1 when the tunnel is up (ssh runs and nothing says its session is not working), else 0.', TUNNEL);
  const starts = counter('autossh_ssh_starts_total', 'ssh processes started.', TUNNEL);
  const exits = counter('autossh_ssh_exits_total', 'ssh processes ended, by reason: stopped, signal, status_0, status_1, status_2, status_255, status_other, spawn_failed.', ['tunnel', 'reason']);
  const decisions = counter('autossh_decisions_total', "The machine's decisions, by the rule that made them.", ['tunnel', 'rule']);
  const backoff = gauge('autossh_backoff_seconds', 'Seconds left of the wait before the next ssh start; 0 when not waiting.', TUNNEL);
  const restarts = counter('autossh_tunnel_restarts_total', 'New runs of the tunnel\'s machine the restart policy started, by why the run before ended: exited_ok, exited_error, max_start, lifetime, spawn_failed, start_failed.', ['tunnel', 'reason']);
  const restartWait = gauge('autossh_tunnel_restart_wait_seconds', 'Seconds left until the restart policy starts the tunnel again; 0 when not waiting.', TUNNEL);
  const reloads = counter('autossh_config_reloads_total', 'Configuration reloads (SIGHUP), by result: ok (the new file runs) or failed (the old set kept).', ['result']);
  // both results exist from the start, so a first failure is a rise from 0, not a new series
  reloads.inc({ result: 'ok' }, 0);
  reloads.inc({ result: 'failed' }, 0);
  // The counter says a reload failed once; this says the file on disk is still the refused one,
  // which is what an alert wants ("failed and not fixed"). A running daemon read its file at
  // start, so it starts at 1, as prometheus_config_last_reload_successful does.
  const lastReloadOk = gauge('autossh_config_last_reload_successful', 'Whether the last configuration reload (SIGHUP) succeeded: 1, or 0 when it was refused (the old set kept). 1 before any reload.');
  lastReloadOk.set(1);

  if (options.processMetrics) registerProcessMetrics(registry);

  // What each tunnel's series say now, and the tracker they came from. A scrape moves each
  // counter by what its tracker counted since the last scrape, rather than rebuilding every
  // series: prom-client keeps series in an object keyed by labels, and refilling an emptied one
  // is most of a scrape's cost at a hundred tunnels.
  const published = new Map<string, Published>();

  function forget(tunnel: string, book: Published): void {
    up.remove({ tunnel });
    backoff.remove({ tunnel });
    restartWait.remove({ tunnel });
    starts.remove({ tunnel });
    for (const reason of book.restarts.keys()) restarts.remove({ tunnel, reason });
    for (const reason of book.exits.keys()) exits.remove({ tunnel, reason });
    for (const rule of book.decisions.keys()) decisions.remove({ tunnel, rule });
    published.delete(tunnel);
  }

  /** copy every tracker's state into the metrics; series of tunnels gone are dropped */
  function refresh(): void {
    const trackers = source.trackers();
    const present = new Set<string>();
    tunnels.set(trackers.length);
    for (const tracker of trackers) {
      const tunnel = tracker.name;
      present.add(tunnel);
      let book = published.get(tunnel);
      // a tunnel restarted by a reload has a new tracker counting from 0: a counter reset
      if (book !== undefined && book.tracker !== tracker) forget(tunnel, book);
      if (book === undefined || book.tracker !== tracker) {
        book = { tracker, starts: 0, exits: new Map(), decisions: new Map(), restarts: new Map() };
        published.set(tunnel, book);
        starts.inc({ tunnel }, 0);
        // every reason from 0: a tunnel's first restart is a rise that increase() sees, not a new series
        for (const reason of RUN_END_REASONS) {
          restarts.inc({ tunnel, reason }, 0);
          book.restarts.set(reason, 0);
        }
      }
      const report = tracker.report();
      const counts = tracker.counts();
      up.set({ tunnel }, report.up ? 1 : 0);
      backoff.set({ tunnel }, report.backoffSeconds ?? 0);
      restartWait.set({ tunnel }, report.restartSeconds ?? 0);
      if (counts.starts > book.starts) starts.inc({ tunnel }, counts.starts - book.starts);
      book.starts = counts.starts;
      for (const [reason, n] of Object.entries(counts.exits)) publish(exits, book.exits, { tunnel, reason }, reason, n);
      for (const [rule, n] of Object.entries(counts.decisions)) publish(decisions, book.decisions, { tunnel, rule }, rule, n);
      for (const [reason, n] of Object.entries(counts.restarts)) publish(restarts, book.restarts, { tunnel, reason }, reason, n);
    }
    for (const [tunnel, book] of published) if (!present.has(tunnel)) forget(tunnel, book);
  }

  return {
    registry,
    contentType: registry.contentType,
    noteReload(result) {
      reloads.inc({ result });
      lastReloadOk.set(result === 'ok' ? 1 : 0);
    },
    async text() {
      refresh();
      return registry.metrics();
    },
  };
}

/** The usual process series, computed at scrape time: no timers, nothing while idle. */
function registerProcessMetrics(registry: Registry): void {
  const registers = [registry];
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    registers,
    collect() {
      this.set(startSeconds);
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap used, in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
}
