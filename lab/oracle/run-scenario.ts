// One oracle scenario (test/fixtures/oracle/README.md) run as real processes: the command under
// test launched with the scenario's arguments and environment, its ssh the scripted fake
// (fake-ssh.ts), its signals sent on schedule, and everything that happened written as an
// autossh-oracle-trace/1 that compare-traces.ts can hold to a golden recorded from 1.4g.
//
// The run loop ticks every 10 ms: it reads the fake's events, the reaper's exits, the pid file,
// and sends the signals that are due. Times are ms of the monotonic clock from the launch.
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseScenario, type ScheduledSignal } from '../../sim/oracle/scenario.js';
import type { Trace, TraceEvent } from '../../sim/oracle/trace.js';
import { isAlive, readProc } from '../world/proc-table.js';
import { allocatePortBlock } from './port-block.js';
import { fillPlaceholders, maskProbeData, Normalizer } from './placeholders.js';
import { FakeEventsTail, logLines, readCapped } from './run-files.js';
import { Reaper, type ExitStatus } from './reaper.js';

/**
 * The fake ssh as built (dist/lab/oracle/fake-ssh.js), executable by its #! line: beside this
 * module when it runs from dist, in dist when it runs from its source (vitest).
 */
export const FAKE_SSH = ((): string => {
  const beside = fileURLToPath(new URL('./fake-ssh.js', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../dist/lab/oracle/fake-ssh.js', import.meta.url));
})();
export const DEFAULT_COMMAND = ['/usr/lib/autossh/autossh'];

const TICK_MS = 10;
/** an ssh still alive this long after its supervisor ended was left behind */
const ORPHAN_GRACE_MS = 400;
/** how long the end of a run waits for what it killed to be reaped */
const CLEANUP_MS = 3000;

export interface RunScenarioOptions {
  /** the program under test and its own arguments; the scenario's args follow */
  command?: readonly string[];
  /** MPORT's first choice (blocks of 4 from there); default random */
  portBase?: number;
  /** keep the work directory (its path is in the returned workdir) */
  keep?: boolean;
  signal?: AbortSignal;
}

export interface ScenarioRun {
  trace: Trace;
  workdir: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs the scenario in `file` against the command; resolves to its trace. */
export async function runScenarioFile(file: string, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  if (!isExecutable(FAKE_SSH)) throw new Error(`${FAKE_SSH}: the fake ssh is missing or not executable (npm run build makes it)`);
  const command = [...(options.command ?? DEFAULT_COMMAND)];
  const workdir = realpathSync(mkdtempSync(join(tmpdir(), `oracle-${basename(file).replace(/\.scenario\.json$/, '').replace(/[^\w.-]/g, '_')}-`)));
  const held: Server[] = [];
  let ports: Awaited<ReturnType<typeof allocatePortBlock>> | null = null;
  try {
    ports = await allocatePortBlock(options.portBase);
    const resolved = fillPlaceholders(raw, { MPORT: ports.base, EPORT: ports.base + 2, WORKDIR: workdir }) as Record<string, unknown>;
    const scenario = parseScenario(resolved, file);
    const scenarioPath = join(workdir, 'scenario.resolved.json');
    writeFileSync(scenarioPath, `${JSON.stringify({ ...resolved, ssh: scenario.ssh }, null, 1)}\n`);
    const eventsPath = join(workdir, 'events.jsonl');
    writeFileSync(eventsPath, '');
    const logPath = join(workdir, 'autossh.log');
    writeFileSync(logPath, '');

    const env: Record<string, string> = {};
    for (const name of ['PATH', 'HOME', 'TZ']) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    Object.assign(env, {
      LANG: 'C', AUTOSSH_PATH: FAKE_SSH, AUTOSSH_LOGFILE: logPath, AUTOSSH_LOGLEVEL: '7',
      FAKESSH_SCENARIO: scenarioPath, FAKESSH_DIR: workdir,
    });
    for (const [name, value] of Object.entries(scenario.env)) {
      if (value === null) delete env[name];
      else env[name] = value;
    }
    for (const port of scenario.occupyPorts) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      held.push(server);
    }
    const trace = await supervise({
      name: typeof resolved['name'] === 'string' && resolved['name'] !== '' ? resolved['name'] : basename(file).split('.')[0]!,
      description: scenario.description ?? '',
      command, args: scenario.args, env, signals: scenario.signals, capMs: Math.round(scenario.cap * 1000),
      workdir, eventsPath, logPath, pidfile: env['AUTOSSH_PIDFILE'] ?? null,
      normalizer: new Normalizer(ports.base, workdir, [...new Set([FAKE_SSH, env['AUTOSSH_PATH']!])]),
      signal: options.signal,
    });
    return { trace, workdir };
  } finally {
    for (const server of held) server.close();
    ports?.release();
    if (!options.keep) rmSync(workdir, { recursive: true, force: true });
  }
}

interface Supervision {
  name: string;
  description: string;
  command: string[];
  args: string[];
  env: Record<string, string>;
  signals: ScheduledSignal[];
  capMs: number;
  workdir: string;
  eventsPath: string;
  logPath: string;
  pidfile: string | null;
  normalizer: Normalizer;
  signal: AbortSignal | undefined;
}

type Recorded = TraceEvent;

async function supervise(s: Supervision): Promise<Trace> {
  const reaper = new Reaper({
    argv: [...s.command, ...s.args], env: s.env,
    stdoutPath: join(s.workdir, 'stdout'), stderrPath: join(s.workdir, 'stderr'), t0EnvName: 'FAKESSH_T0',
  });
  let launched: { pid: number; t0Ms: number };
  try {
    launched = await reaper.started();
  } catch (error) {
    reaper.finish();
    await reaper.exited.catch(() => {});
    throw error;
  }
  const supervisorPid = launched.pid;
  const t0Ms = launched.t0Ms;
  const monoMs = (): number => Number(process.hrtime.bigint() / 1_000_000n);
  const sinceLaunch = (): number => monoMs() - t0Ms;
  const wall0Ms = Date.now() - sinceLaunch();
  const norm = s.normalizer;
  norm.pid(supervisorPid, '<pid:autossh>');

  const events: Recorded[] = [];
  const record = (t: number, kind: string, fields: Record<string, unknown> = {}): Recorded => {
    const event = { t, kind, ...fields };
    events.push(event);
    return event;
  };
  const children = new Map<number, { pid: number; exited: boolean }>();
  const fakePids = new Set<number>();
  const signalsSeen = new Map<number, number>();
  const tail = new FakeEventsTail(s.eventsPath);
  let reaped = 0;
  let supervisorDone = false;
  let daemonPid: number | null = null;
  let daemonDone = false;
  let timedOut = false;
  let pidfileThere = false;
  let pidfileSeenAt: number | null = null;
  const pending = s.signals.map((spec, index) => ({ spec, index }));

  const readFake = (): void => {
    for (const e of tail.read()) {
      switch (e.ev) {
        case 'spawn': {
          const pid = Number(e['pid']);
          children.set(e.n, { pid, exited: false });
          fakePids.add(pid);
          norm.pid(pid, `<pid:ssh${e.n}>`);
          record(e.t, 'child_spawn', { n: e.n, argv: norm.argv(e['argv'] as string[]) });
          break;
        }
        case 'exit': {
          const child = children.get(e.n);
          if (child) child.exited = true;
          const how = 'signal' in e ? { signal: e['signal'] } : { code: e['code'] };
          record(e.t, 'child_exit', { n: e.n, cause: e['cause'], ...how });
          break;
        }
        case 'signal': {
          const k = (signalsSeen.get(e.n) ?? 0) + 1;
          signalsSeen.set(e.n, k);
          record(e.t, 'child_signal', { n: e.n, k, signal: e['signal'], action: e['action'] });
          break;
        }
        case 'probe':
          record(e.t, 'probe', { n: e.n, i: e['i'] });
          break;
        case 'probe_data': {
          for (let k = events.length - 1; k >= 0; k--) {
            const probe = events[k]!;
            if (probe.kind !== 'probe' || probe['n'] !== e.n || probe['i'] !== e['i']) continue;
            probe['data'] = maskProbeData(String(e['data'] ?? ''));
            break;
          }
          break;
        }
        case 'listen_error':
          record(e.t, 'listen_error', { n: e.n, port: norm.text(String(e['port'])), error: e['error'] });
          break;
        case 'forward_mode':
          record(e.t, 'forward_mode', { n: e.n, mode: e['mode'] });
          break;
      }
    }
  };

  /** a fake whose spawn line is not read yet still left its pid in inv.N */
  const isFake = (pid: number): boolean => {
    if (fakePids.has(pid)) return true;
    try {
      return readdirSync(s.workdir).filter((f) => f.startsWith('inv.')).some((f) => readFileSync(join(s.workdir, f), 'utf8').trim() === String(pid));
    } catch {
      return false;
    }
  };

  /** the launcher's orphans (as the reaper saw them when it reaped the launcher), less its ssh */
  const detectDaemon = (orphans: readonly number[], t: number): void => {
    if (daemonPid !== null) return;
    for (const pid of orphans) {
      if (pid === supervisorPid || isFake(pid)) continue;
      const argv = readProc(pid)?.argv ?? [];
      if (argv.slice(0, 3).some((word) => word === FAKE_SSH || word.endsWith('fake-ssh.js'))) continue;
      daemonPid = pid;
      norm.pid(pid, '<pid:daemon>');
      record(t, 'daemon_detached');
      return;
    }
  };

  const exitFields = (status: ExitStatus): Record<string, unknown> => ({ ...status });

  const readReaper = (): void => {
    while (reaped < reaper.messages.length) {
      const m = reaper.messages[reaped++]!;
      if (m.kind !== 'reaped') continue;
      const t = m.atMs - t0Ms;
      if (m.pid === supervisorPid) {
        supervisorDone = true;
        record(t, 'supervisor_exit', exitFields(m.status));
        detectDaemon(m.orphans ?? [], t);
      } else if (m.pid === daemonPid) {
        daemonDone = true;
        record(t, 'daemon_exit', exitFields(m.status));
      } else if (isFake(m.pid)) {
        // an ssh left to the reaper by its supervisor, ended
      } else if (daemonPid === null && supervisorDone && !timedOut) {
        // the daemon came and went between two looks
        daemonPid = m.pid;
        daemonDone = true;
        record(t, 'daemon_detached');
        record(t, 'daemon_exit', exitFields(m.status));
      }
    }
  };

  const checkPidfile = (t: number): void => {
    if (s.pidfile === null) return;
    const there = existsSync(s.pidfile);
    if (there && !pidfileThere) {
      let content = '';
      try {
        content = readFileSync(s.pidfile, 'utf8').trim();
      } catch {
        // between its creation and its first write
      }
      // an empty file may be about to be written: give it 300 ms
      if (content !== '' || (pidfileSeenAt !== null && t - pidfileSeenAt > 300)) {
        record(pidfileSeenAt ?? t, 'pidfile_created', { owner: content });
        pidfileThere = true;
        pidfileSeenAt = null;
      } else if (pidfileSeenAt === null) {
        pidfileSeenAt = t;
      }
    } else if (!there && pidfileThere) {
      record(t, 'pidfile_removed');
      pidfileThere = false;
    }
  };

  const dueAt = (spec: ScheduledSignal): number | null => {
    if (spec.at !== undefined) return spec.at * 1000;
    const after = spec.after!;
    const delayMs = (spec.delay ?? 0) * 1000;
    const trigger = 'child_spawn' in after ? events.find((e) => e.kind === 'child_spawn' && e['n'] === after.child_spawn)
      : 'child_exit' in after ? events.find((e) => e.kind === 'child_exit' && e['n'] === after.child_exit)
        : events.find((e) => e.kind === 'probe' && e['n'] === after.probe[0] && e['i'] === after.probe[1]);
    return trigger ? trigger.t + delayMs : null;
  };

  const sendDue = (t: number): void => {
    for (const item of [...pending]) {
      const at = dueAt(item.spec);
      if (at === null || t < at) continue;
      pending.splice(pending.indexOf(item), 1);
      // to the launched process, or to its daemon once it detached; to nobody once all are gone
      const target = !supervisorDone ? supervisorPid : daemonPid !== null && !daemonDone ? daemonPid : null;
      if (target === null) continue;
      const sentAt = sinceLaunch();
      try {
        process.kill(target, item.spec.signal as NodeJS.Signals);
        record(sentAt, 'signal_sent', { i: item.index + 1, signal: item.spec.signal, target: 'supervisor' });
      } catch {
        // it ended in between: a signal not sent is not recorded
      }
    }
  };

  try {
    for (;;) {
      if (s.signal?.aborted) throw new Error('interrupted');
      const t = sinceLaunch();
      readFake();
      readReaper();
      checkPidfile(t);
      sendDue(t);
      if (supervisorDone && (daemonPid === null || daemonDone)) break;
      if (t >= s.capMs) {
        timedOut = true;
        record(s.capMs, 'timeout');
        break;
      }
      await sleep(TICK_MS);
    }
    if (!timedOut) {
      await sleep(ORPHAN_GRACE_MS);
      readFake();
      const at = sinceLaunch();
      for (const [n, child] of [...children].sort(([a], [b]) => a - b)) {
        if (!child.exited && isAlive(child.pid)) record(at, 'child_orphaned', { n });
      }
    }
  } finally {
    for (const group of [supervisorPid, daemonPid]) {
      if (group === null) continue;
      try { process.kill(-group, 'SIGKILL'); } catch { /* no such group left */ }
    }
    if (!supervisorDone) try { process.kill(supervisorPid, 'SIGKILL'); } catch { /* gone */ }
    if (daemonPid !== null && !daemonDone) try { process.kill(daemonPid, 'SIGKILL'); } catch { /* gone */ }
    for (const child of children.values()) {
      if (!child.exited && isAlive(child.pid)) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    reaper.finish();
    await Promise.race([reaper.exited.catch(() => {}), sleep(CLEANUP_MS)]);
  }

  for (const e of events) {
    if (e.kind !== 'pidfile_created') continue;
    const content = String(e['owner']);
    e['owner'] = content === String(supervisorPid) ? 'supervisor' : daemonPid !== null && content === String(daemonPid) ? 'daemon' : content === '' ? 'empty' : 'other';
  }
  // the fake's fork time has the kernel's 10 ms ticks: an ssh never starts (by < 30 ms) before the one it replaces ended
  const exitAt = new Map(events.filter((e) => e.kind === 'child_exit').map((e) => [e['n'] as number, e.t]));
  for (const e of events) {
    if (e.kind === 'child_spawn') {
      const previous = exitAt.get((e['n'] as number) - 1);
      if (previous !== undefined && e.t >= previous - 30 && e.t < previous) e.t = previous;
    }
    e.t = Math.max(0, e.t);
  }
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i).map(({ e }) => ({ ...e, t: Math.round(e.t / 100) / 10 }));
  const normalize = (text: string): string => norm.text(text);
  return {
    format: 'autossh-oracle-trace/1',
    scenario: s.name,
    description: s.description,
    command: s.command.map(normalize),
    events: ordered,
    stdout: readCapped(join(s.workdir, 'stdout'), normalize),
    stderr: readCapped(join(s.workdir, 'stderr'), normalize),
    log: logLines(s.logPath, wall0Ms, normalize),
  };
}

