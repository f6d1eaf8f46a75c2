// GET /metrics, as a real Toxiproxy started with `-proxy-metrics -runtime-metrics` serves it
// (Prometheus text format 0.0.4):
//   toxiproxy_proxy_received_bytes_total{direction,listener,proxy,upstream}: bytes read from
//     the link's source (upstream: from the client; downstream: from the server)
//   toxiproxy_proxy_sent_bytes_total{...}: bytes written to the link's destination
// Like the real server, a link's bytes are counted when the link ends (its connection closes),
// not while they flow. The runtime half is Node's, not Go's: the process_* series a Prometheus
// process collector gives (same names as Go's) and nodejs_version_info in place of go_info.
import { readdirSync, readFileSync } from 'node:fs';
import type { Stream } from './toxic.js';

/** One series per proxy, listener, upstream and direction; past this many, new ones are not kept. */
const MAX_SERIES = 10_000;

export interface LinkLabels {
  direction: Stream;
  proxy: string;
  listener: string;
  upstream: string;
}

interface Series {
  labels: LinkLabels;
  receivedBytes: number;
  sentBytes: number;
}

export class ProxyMetrics {
  private readonly series = new Map<string, Series>();

  /** A link ended having read `receivedBytes` from its source and written `sentBytes` on. */
  linkEnded(labels: LinkLabels, receivedBytes: number, sentBytes: number): void {
    const key = JSON.stringify([labels.direction, labels.listener, labels.proxy, labels.upstream]);
    let series = this.series.get(key);
    if (series === undefined) {
      if (this.series.size >= MAX_SERIES) return;
      series = { labels: { ...labels }, receivedBytes: 0, sentBytes: 0 };
      this.series.set(key, series);
    }
    series.receivedBytes += receivedBytes;
    series.sentBytes += sentBytes;
  }

  /** The whole exposition: runtime series first, then the proxies', as the real server orders them (by name). */
  text(): string {
    const all = [...this.series.values()].sort((a, b) => labelText(a.labels).localeCompare(labelText(b.labels)));
    return [
      ...runtimeFamilies(),
      family('toxiproxy_proxy_received_bytes_total', 'counter', all.map((s) => `{${labelText(s.labels)}} ${s.receivedBytes}`)),
      family('toxiproxy_proxy_sent_bytes_total', 'counter', all.map((s) => `{${labelText(s.labels)}} ${s.sentBytes}`)),
    ].filter((text) => text !== '').join('');
  }
}

/** The content type of the text format, as Prometheus's Go client sends it. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A family with its (empty) HELP and TYPE lines; none at all when it has no series, as in Go's client. */
function family(name: string, type: 'counter' | 'gauge', samples: string[]): string {
  if (samples.length === 0) return '';
  return `# HELP ${name} \n# TYPE ${name} ${type}\n${samples.map((sample) => `${name}${sample}\n`).join('')}`;
}

/** Labels sorted by name, values escaped as the text format wants. */
function labelText(labels: LinkLabels): string {
  const { direction, listener, proxy, upstream } = labels;
  return Object.entries({ direction, listener, proxy, upstream })
    .map(([name, value]) => `${name}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`)
    .join(',');
}

const PROCESS_START_SECONDS = Date.now() / 1000 - process.uptime();

function runtimeFamilies(): string[] {
  const cpu = process.cpuUsage();
  const number = (value: number): string => (Number.isFinite(value) ? String(value) : 'NaN');
  return [
    family('nodejs_version_info', 'gauge', [`{version="${process.version}"} 1`]),
    family('process_cpu_seconds_total', 'counter', [` ${number((cpu.user + cpu.system) / 1e6)}`]),
    family('process_max_fds', 'gauge', [` ${number(maxFds())}`]),
    family('process_open_fds', 'gauge', [` ${number(openFds())}`]),
    family('process_resident_memory_bytes', 'gauge', [` ${process.memoryUsage().rss}`]),
    family('process_start_time_seconds', 'gauge', [` ${Math.floor(PROCESS_START_SECONDS)}`]),
  ];
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return NaN;
  }
}

function maxFds(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s+/)[3]);
  } catch {
    return NaN;
  }
}
