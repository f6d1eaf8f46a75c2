// One chaos run: a real tunnel (sshd, one Toxiproxy proxy per supervisor, an echo service at the
// far end of a -L forward), the supervisors under test side by side, faults applied on schedule
// to every proxy at once, and per-fault measurements. Whatever happens (bad input, a fault the
// server rejects, Ctrl-C), everything started here is stopped before runChaos settles.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleepAbortable } from 'node:timers/promises';
import { startToxiproxyServer } from '../toxiproxy/index.js';
import { ToxiproxyClient } from './toxiproxy-client.js';
import { findFaultKind, isToxicType, toxicSpecs, type ActiveFault, type FaultWorld } from './faults/index.js';
import { expandSchedule, type Fault, type Schedule } from './schedule/types.js';
import { Canary, type CanaryRecord } from './canary.js';
import { WatchedSupervisor, type LogLine, type SshLife } from './supervisor.js';
import { measureFaults, type FaultMeasurement } from './measure.js';
import { startSshd, type Sshd } from '../world/sshd.js';
import { startEchoServer } from '../world/echo-server.js';
import { getFreePort } from '../world/ports.js';

/** What a supervisor runs with when the user gives no arguments after `--`. */
export const DEFAULT_SUPERVISOR_ARGS = ['-M', '0', '-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2'];
const START_TIMEOUT_MS = 30_000;
const RECOVERY_TIMEOUT_MS = 30_000;
/** Observation after the last recovery, so the plot shows the tunnel steady again. */
const TAIL_MS = 1_000;
const STATUS_INTERVAL_MS = 500;

export interface SupervisorSpec {
  label: string;
  /** Program and leading arguments, e.g. ['/usr/lib/autossh/autossh']. */
  cmd: string[];
}

export interface ChaosOptions {
  schedule: Schedule;
  /** The first one is "the supervisor under test"; more come from --compare. */
  supervisors: SupervisorSpec[];
  /** autossh arguments before the lab's own ssh options (-M, -o ...). */
  supervisorArgs?: string[];
  /** AUTOSSH_* settings for every supervisor (AUTOSSH_LOGFILE is always the lab's). */
  env?: Record<string, string>;
  /** `user@host[:port]`: an existing ssh server instead of the lab's own sshd. */
  target?: string;
  /** The forward's far end as the server sees it; default the lab's echo server on 127.0.0.1. */
  echoAddress?: string;
  /** An external Toxiproxy; default: the embedded server. */
  toxiproxyUrl?: string;
  signal?: AbortSignal;
  /** Frequent one-line status while running. */
  onStatus?: (line: string) => void;
  /** Fault started/ended, setup steps. */
  onEvent?: (line: string) => void;
  startTimeoutMs?: number;
  recoveryTimeoutMs?: number;
}

export interface FaultRecord {
  index: number;
  label: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, unknown>;
  plannedStartMs: number;
  plannedEndMs: number;
  /** Actual times on the run clock: start = when switching it on began; end = when it was fully off. */
  startMs: number;
  endMs: number;
}

export interface SupervisorResult {
  label: string;
  argv: string[];
  env: Record<string, string>;
  forwardPort: number;
  proxy: string;
  measurements: FaultMeasurement[];
  sshLives: SshLife[];
  canaries: CanaryRecord[];
  log: LogLine[];
  /** Set when the supervisor exited by itself during the run. */
  exited: string | null;
}

export interface ChaosResult {
  schedule: { name: string; description: string };
  startedAt: string;
  toxiproxy: { url: string; embedded: boolean };
  sshd: { host: string; port: number; own: boolean };
  /** All times are ms on the run clock, which starts with the setup. */
  scheduleStartMs: number;
  /** Measurements cover up to here; then the supervisors were stopped. */
  observedEndMs: number;
  runEndMs: number;
  faults: FaultRecord[];
  supervisors: SupervisorResult[];
}

export class ChaosAbortedError extends Error {
  override name = 'ChaosAbortedError';
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const t0 = performance.now();
  const now = (): number => Math.round(performance.now() - t0);
  const startedAt = new Date().toISOString();
  const signal = options.signal;
  const event = options.onEvent ?? (() => {});
  const cleanups: Array<() => Promise<void>> = [];
  const faults = expandSchedule(options.schedule);
  const target = options.target === undefined ? undefined : parseTarget(options.target);
  for (const step of options.schedule.steps) findFaultKind(step.type)!.check(step, { ownSshd: target === undefined });
  if (options.supervisors.length === 0) throw new Error('no supervisor to run');

  const checkAbort = (): void => {
    if (signal?.aborted) throw new ChaosAbortedError('interrupted');
  };
  const sleep = async (ms: number): Promise<void> => {
    try {
      await sleepAbortable(Math.max(0, ms), undefined, { signal });
    } catch {
      throw new ChaosAbortedError('interrupted');
    }
  };

  const dir = mkdtempSync(join(tmpdir(), 'autossh-lab-chaos-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const watched: WatchedSupervisor[] = [];
  const canaries: Canary[] = [];
  const active = new Map<number, ActiveFault>();
  let statusTimer: NodeJS.Timeout | undefined;
  try {
    // Toxiproxy first: with a bad TOXIPROXY_URL nothing else needs starting.
    let toxiproxyUrl = options.toxiproxyUrl;
    const embedded = toxiproxyUrl === undefined;
    if (toxiproxyUrl === undefined) {
      const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
      cleanups.push(() => server.close());
      toxiproxyUrl = server.url;
    }
    const toxiproxy = new ToxiproxyClient(toxiproxyUrl);
    const version = await toxiproxy.version();
    event(`toxiproxy ${version} at ${toxiproxyUrl}${embedded ? ' (embedded)' : ''}`);
    checkAbort();

    let sshd: Sshd | undefined;
    if (target === undefined) {
      sshd = await startSshd();
      const own = sshd;
      cleanups.push(() => own.stop());
      event(`sshd on ${sshd.host}:${sshd.port}`);
    }
    checkAbort();
    const echo = await startEchoServer();
    cleanups.push(() => echo.stop());
    const upstream = target ? `${target.host}:${target.port}` : `${sshd!.host}:${sshd!.port}`;

    const proxyNames: string[] = [];
    const proxyPorts: number[] = [];
    for (let i = 0; i < options.supervisors.length; i++) {
      const name = `autossh-lab-chaos-${process.pid}-${i + 1}`;
      const info = await toxiproxy.createProxy(name, '127.0.0.1:0', upstream);
      cleanups.push(() => toxiproxy.deleteProxy(name).catch(() => {}));
      proxyNames.push(name);
      proxyPorts.push(Number(info.listen.slice(info.listen.lastIndexOf(':') + 1)));
    }
    // Every toxic is tried once now, so a toxic the server rejects fails the run before it starts.
    for (const step of options.schedule.steps) {
      if (!isToxicType(step.type)) continue;
      for (const spec of toxicSpecs(step, `check-${step.name}`)) {
        try {
          await toxiproxy.addToxic(proxyNames[0]!, spec);
        } catch (error) {
          throw new Error(`schedule step "${step.name}" (${step.type} ${JSON.stringify(step.attributes)}): ${(error as Error).message}`);
        }
        await toxiproxy.removeToxic(proxyNames[0]!, spec.name);
      }
    }
    checkAbort();

    const userArgs = options.supervisorArgs ?? DEFAULT_SUPERVISOR_ARGS;
    const echoAddress = options.echoAddress ?? `127.0.0.1:${echo.port}`;
    for (let i = 0; i < options.supervisors.length; i++) {
      const spec = options.supervisors[i]!;
      const forwardPort = await getFreePort();
      const args = await monitorPortsFor(userArgs, i, echo.port);
      const sshArgs = target
        ? ['-o', `HostKeyAlias=${target.host}`, '-o', 'ExitOnForwardFailure=yes', '-o', 'BatchMode=yes', '-p', String(proxyPorts[i])]
        : [...withoutPort(sshd!.clientArgs({ ServerAliveInterval: null, ServerAliveCountMax: null })), '-p', String(proxyPorts[i])];
      const argv = [
        ...spec.cmd,
        ...args,
        ...sshArgs,
        ...(args.includes('-N') ? [] : ['-N']),
        '-L', `127.0.0.1:${forwardPort}:${echoAddress}`,
        target ? `${target.user}@127.0.0.1` : `${sshd!.user}@127.0.0.1`,
      ];
      const logFile = join(dir, `supervisor-${i + 1}.log`);
      const env = supervisorEnv(logFile, options.env);
      const sup = new WatchedSupervisor({ label: spec.label, argv, env, logFile, now });
      watched.push(sup);
      cleanups.push(() => sup.stop());
      const canary = new Canary(forwardPort, now);
      canaries.push(canary);
      cleanups.push(async () => canary.stop());
      event(`${spec.label}: ${argv.join(' ')}`);
    }
    for (const canary of canaries) canary.start();

    // The schedule starts once every tunnel carries traffic.
    const startDeadline = now() + (options.startTimeoutMs ?? START_TIMEOUT_MS);
    for (;;) {
      checkAbort();
      for (const sup of watched) {
        const why = sup.exitReason();
        if (why) throw new Error(`the tunnel never came up: ${why}`);
      }
      if (canaries.every((p) => p.records.some((r) => r.answeredMs !== null))) break;
      if (now() > startDeadline) {
        const down = watched.filter((_, i) => !canaries[i]!.records.some((r) => r.answeredMs !== null));
        throw new Error(
          `the tunnel never came up within ${options.startTimeoutMs ?? START_TIMEOUT_MS} ms for ${down.map((s) => s.label).join(', ')}:\n${down.map((s) => s.describe()).join('\n')}`,
        );
      }
      await sleep(50);
    }
    const scheduleStartMs = now();
    event(`tunnel up after ${(scheduleStartMs / 1000).toFixed(1)} s; schedule "${options.schedule.name}" starts`);

    const world: FaultWorld = {
      toxiproxy,
      proxies: proxyNames,
      sshd: sshd ? { stop: () => sshd.halt(), start: () => sshd.resume() } : undefined,
    };
    const records = new Map<number, FaultRecord>();
    statusTimer = setInterval(() => options.onStatus?.(statusLine(now(), scheduleStartMs, faults, records, active, watched, canaries)), STATUS_INTERVAL_MS);

    const steps = faults
      .flatMap((f) => [
        { at: f.plannedStartMs, fault: f, on: true },
        { at: f.plannedEndMs, fault: f, on: false },
      ])
      .sort((a, b) => a.at - b.at || Number(a.on) - Number(b.on));
    for (const step of steps) {
      await sleep(scheduleStartMs + step.at - now());
      const f = step.fault;
      if (step.on) {
        const startMs = now();
        try {
          active.set(f.index, await findFaultKind(f.step.type)!.start(f.step, world, `chaos-${f.index}`));
        } catch (error) {
          throw new Error(`fault "${f.label}" could not start: ${(error as Error).message}`);
        }
        records.set(f.index, faultRecord(f, scheduleStartMs, startMs));
        event(`${(startMs / 1000).toFixed(1)} s  fault ${f.index}/${faults.length} ${f.label} on`);
      } else {
        const fault = active.get(f.index)!;
        active.delete(f.index);
        try {
          await fault.end();
        } catch (error) {
          throw new Error(`fault "${f.label}" could not be switched off: ${(error as Error).message}`);
        }
        const record = records.get(f.index)!;
        record.endMs = now();
        event(`${(record.endMs / 1000).toFixed(1)} s  fault ${f.index}/${faults.length} ${f.label} off`);
      }
    }

    // Wait for every tunnel to carry traffic again (bounded), then observe a little longer.
    const lastEndMs = Math.max(...[...records.values()].map((r) => r.endMs));
    const recoveryDeadline = now() + (options.recoveryTimeoutMs ?? RECOVERY_TIMEOUT_MS);
    while (now() < recoveryDeadline && !canaries.every((p) => p.firstAnswerSentFrom(lastEndMs) !== null)) {
      if (watched.every((s) => s.exitReason() !== undefined)) break;
      await sleep(50);
    }
    await sleep(TAIL_MS);
    clearInterval(statusTimer);
    const exits = watched.map((s) => s.exitedOnItsOwn() ?? null);
    // Measurements end here: the ssh ends caused by stopping the supervisors are not detections.
    for (const sup of watched) sup.poll();
    const observedEndMs = now();
    for (const canary of canaries) canary.stop();
    await Promise.all(watched.map((s) => s.stop()));
    const runEndMs = now();

    const faultRecords = faults.map((f) => records.get(f.index)!);
    return {
      schedule: { name: options.schedule.name, description: options.schedule.description },
      startedAt,
      toxiproxy: { url: toxiproxyUrl, embedded },
      sshd: target ? { host: target.host, port: target.port, own: false } : { host: sshd!.host, port: sshd!.port, own: true },
      scheduleStartMs,
      observedEndMs,
      runEndMs,
      faults: faultRecords,
      supervisors: watched.map((sup, i) => {
        const canary = canaries[i]!;
        const forward = sup.options.argv[sup.options.argv.indexOf('-L') + 1] ?? '';
        return {
          label: sup.label,
          argv: [...sup.options.argv],
          env: Object.fromEntries(Object.entries(sup.options.env).filter(([k]) => k.startsWith('AUTOSSH_'))),
          forwardPort: Number(forward.split(':')[1]),
          proxy: proxyNames[i]!,
          measurements: measureFaults(faultRecords, sup.sshLives, canary.records, observedEndMs, sup.logLines),
          sshLives: sup.sshLives,
          canaries: canary.records,
          log: sup.logLines,
          exited: exits[i]!,
        };
      }),
    };
  } finally {
    clearInterval(statusTimer);
    // Faults still on (an error or Ctrl-C mid-fault) are lifted so an external Toxiproxy is left clean.
    for (const fault of active.values()) await fault.end().catch(() => {});
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: every other cleanup must still run.
      }
    }
  }
}

function faultRecord(f: Fault, scheduleStartMs: number, startMs: number): FaultRecord {
  return {
    index: f.index,
    label: f.label,
    type: f.step.type,
    stream: f.step.stream,
    toxicity: f.step.toxicity,
    attributes: f.step.attributes,
    plannedStartMs: scheduleStartMs + f.plannedStartMs,
    plannedEndMs: scheduleStartMs + f.plannedEndMs,
    startMs,
    endMs: startMs,
  };
}

export function parseTarget(text: string): { user: string; host: string; port: number } {
  const match = /^([^@\s]+)@(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(text);
  const port = Number(match?.[3] ?? 22);
  if (!match || !(port > 0 && port < 65536)) throw new Error(`--target "${text}": expected user@host or user@host:port`);
  return { user: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port };
}

/** Drops `-p N` from sshd.clientArgs(): the supervisor connects to the proxy instead. */
function withoutPort(args: string[]): string[] {
  const i = args.lastIndexOf('-p');
  return i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
}

/**
 * `-M echo` (a lab shorthand) becomes `-M FREE:ECHOPORT`: autossh's echo form against the lab's
 * echo service. Any other non-zero `-M` keeps its form, but the compared supervisors get their own
 * free ports, since two cannot listen on one.
 */
async function monitorPortsFor(args: readonly string[], index: number, echoPort: number): Promise<string[]> {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    let value: string | undefined;
    let set: (v: string) => void;
    if (out[i] === '-M' && i + 1 < out.length) {
      value = out[i + 1];
      const at = i + 1;
      set = (v) => (out[at] = v);
    } else if (out[i]!.startsWith('-M') && out[i]!.length > 2) {
      value = out[i]!.slice(2);
      const at = i;
      set = (v) => (out[at] = `-M${v}`);
    } else continue;
    if (value === 'echo') set!(`${await getFreePort()}:${echoPort}`);
    else if (index > 0 && value !== undefined && !/^0(:|$)/.test(value)) {
      const colon = value.indexOf(':');
      set!(`${await getFreePort()}${colon >= 0 ? value.slice(colon) : ''}`);
    }
  }
  return out;
}

function supervisorEnv(logFile: string, extra: Record<string, string> = {}): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('AUTOSSH_') && e[1] !== undefined),
  );
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C',
    AUTOSSH_PATH: '/usr/bin/ssh',
    AUTOSSH_GATETIME: '0',
    AUTOSSH_LOGLEVEL: '7',
    ...inherited,
    ...extra,
    AUTOSSH_LOGFILE: logFile,
  };
}

function statusLine(
  nowMs: number,
  scheduleStartMs: number,
  faults: Fault[],
  records: Map<number, FaultRecord>,
  active: Map<number, ActiveFault>,
  watched: WatchedSupervisor[],
  canaries: Canary[],
): string {
  const on = [...active.keys()].map((i) => faults[i - 1]!.label);
  const next = faults.find((f) => !records.has(f.index));
  const what = on.length > 0 ? `${on.join('+')} ON` : next ? `next: ${next.label} in ${((scheduleStartMs + next.plannedStartMs - nowMs) / 1000).toFixed(1)} s` : 'recovering';
  const sups = watched.map((s, i) => {
    const ssh = s.currentSsh();
    const last = canaries[i]!.records.filter((r) => r.outcome !== 'pending').at(-1);
    const traffic = last?.answeredMs != null ? `rtt ${last.answeredMs - last.sentMs} ms` : 'no echo';
    return `${s.label}: ${ssh ? `ssh ${ssh.pid}` : 'no ssh'}, ${traffic}`;
  });
  return `t=${(nowMs / 1000).toFixed(1)}s  ${what}  | ${sups.join(' | ')}`;
}
