// A throwaway Prometheus server (Debian's /usr/bin/prometheus) for a test: its own config, its
// own TSDB in a temp dir, its web listener on a loopback port; stop() ends it and removes the dir.
// Read through its HTTP API (/api/v1/query, /api/v1/alerts), as an operator's tools would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownTree } from '../../lab/world/owned-processes.js';
import { getFreePort } from '../../lab/world/ports.js';
import { waitFor } from '../../lab/world/wait.js';
import { OutputTail } from '../../lab/world/output-tail.js';

export const PROMETHEUS = '/usr/bin/prometheus';
/** A port taken between choosing it and Prometheus binding it: choose again this many times. */
const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_LIMIT_CHARS = 64 * 1024;

export interface PrometheusOptions {
  /** prometheus.yml's text; RULES_PATH in it is replaced by the path of `rules` written to disk. */
  config: string;
  /** A rules file's text, written next to the config. */
  rules?: string;
}

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

export interface PrometheusServer {
  readonly url: string;
  readonly pid: number;
  /** GET /api/v1/query?query=... : an instant vector. */
  query(promql: string): Promise<InstantSample[]>;
  /** GET /api/v1/alerts: every pending or firing alert. */
  alerts(): Promise<ActiveAlert[]>;
  /** stdout and stderr tail, for failure messages. */
  output(): string;
  /** SIGTERM (SIGKILL after a grace), then removes its directory. Idempotent. */
  stop(): Promise<void>;
}

async function apiGet<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-prometheus-'));
    try {
      return await startIn(dir, opts, await getFreePort());
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      lastError = error as Error;
      if (!/address already in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startIn(dir: string, opts: PrometheusOptions, port: number): Promise<PrometheusServer> {
  const rulesPath = join(dir, 'rules.yml');
  if (opts.rules !== undefined) writeFileSync(rulesPath, opts.rules);
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, opts.config.replaceAll('RULES_PATH', rulesPath));
  const child: ChildProcess = spawn(PROMETHEUS, [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
  if (child.pid === undefined) throw new Error(`could not spawn ${PROMETHEUS}`);
  const pid = child.pid;
  // SIGKILLed when the test process exits, however it exits
  ownTree(pid);
  const output = new OutputTail(OUTPUT_LIMIT_CHARS).follow(child.stdout, child.stderr);
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = `prometheus exited with ${signal ?? `code ${code}`}; output:\n${output.text()}`;
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`)).status === 200, {
      timeoutMs: READY_TIMEOUT_MS, intervalMs: 100, what: `prometheus ready at ${url}`, abortIf: () => exited,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    pid,
    async query(promql) {
      const data = await apiGet<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        `${url}/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async alerts() {
      return (await apiGet<{ alerts: ActiveAlert[] }>(`${url}/api/v1/alerts`)).alerts;
    },
    output: () => output.text(),
    stop,
  };
}
