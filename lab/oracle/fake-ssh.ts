#!/usr/bin/env node
// The ssh that oracle scenarios script (test/fixtures/oracle/README.md): the runner
// (lab/oracle/run-scenario.ts) points AUTOSSH_PATH here, and each time the supervisor executes it
// it is the next ssh of the scenario's `ssh` list. It exits, kills itself, answers signals and
// plays the -L/-R forwards as its entry says, and writes what happened to it, one JSON line per
// event, to $FAKESSH_DIR/events.jsonl, stamped in ms of the monotonic clock since $FAKESSH_T0.
// Node built-ins only: it starts once per ssh, and every ms of start-up is a ms of its life.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

type Mode = 'healthy' | 'blackhole' | 'refuse' | 'slow';

/** One entry of the scenario's `ssh` list, as the runner checked it (sim/oracle/scenario-schema.ts). */
interface Behaviour {
  exit?: number;
  kill?: string;
  after?: number;
  onSigterm?: string;
  forward?: Mode;
  slowDelay?: number;
  breakAfter?: number;
  breakMode?: Mode;
}

interface Forward {
  listenPort: number;
  host: string;
  hostPort: number;
}

const dir = process.env['FAKESSH_DIR'] ?? '';
const t0Ms = Number(process.env['FAKESSH_T0'] ?? '0');
const nowMs = (): number => Number(process.hrtime.bigint() / 1_000_000n) - t0Ms;
/** bounded: how many ssh invocations one scenario may number */
const MAX_INVOCATIONS = 100_000;
/** a connection's first bytes, as logged */
const DATA_LOGGED_CHARS = 300;

function record(event: Record<string, unknown>): void {
  if (!dir) return;
  try {
    appendFileSync(join(dir, 'events.jsonl'), `${JSON.stringify({ t: nowMs(), ...event })}\n`);
  } catch {
    // the run is over and its directory gone: nobody is listening
  }
}

/**
 * How long ago the supervisor forked this process: the kernel's start time of the process
 * (/proc/self/stat field 22, in clock ticks of 10 ms since boot) against /proc/uptime, the
 * same clock. Node takes 50-300 ms to get here; the script's times count from the fork.
 */
function msSinceFork(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const uptimeMs = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
    const age = Math.round(uptimeMs - startTicks * 10);
    return age >= 0 && age < 60_000 ? age : 0;
  } catch {
    return 0;
  }
}

/** This ssh's number: the first `inv.N` it can create (exclusively) in the run's directory. */
function invocationNumber(): number {
  if (!dir) return 1;
  for (let n = 1; n <= MAX_INVOCATIONS; n++) {
    try {
      writeFileSync(join(dir, `inv.${n}`), String(process.pid), { flag: 'wx' });
      return n;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`fake-ssh: more than ${MAX_INVOCATIONS} invocations in ${dir}`);
}

function behaviourOf(n: number): Behaviour {
  let list: Behaviour[] = [];
  try {
    const scenario = JSON.parse(readFileSync(process.env['FAKESSH_SCENARIO'] ?? '', 'utf8')) as { ssh?: Behaviour[] };
    list = Array.isArray(scenario.ssh) ? scenario.ssh : [];
  } catch {
    // no scenario: an ssh that runs until signalled, forwarding as asked
  }
  return list.length === 0 ? {} : list[Math.min(n, list.length) - 1]!;
}

/** `-L [bind:]port:host:hostport` and `-Lspec` alike; the last three fields are what count. */
function forwards(argv: readonly string[], flag: '-L' | '-R'): Forward[] {
  const found: Forward[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    const spec = word === flag ? argv[++i] : word.startsWith(flag) && word.length > 2 ? word.slice(2) : undefined;
    if (spec === undefined) continue;
    const fields = spec.split(':');
    if (fields.length < 3) continue;
    found.push({ listenPort: Number(fields.at(-3)), host: fields.at(-2)!, hostPort: Number(fields.at(-1)) });
  }
  return found;
}

const sinceForkMs = msSinceFork();
const forkedAtMs = nowMs() - sinceForkMs;
const n = invocationNumber();
/** argv[0] is the path the supervisor executed, which the trace writes as "ssh" */
const argv = process.argv.slice(1);
const behaviour = behaviourOf(n);
record({ ev: 'spawn', n, pid: process.pid, ppid: process.ppid, argv, t: forkedAtMs, startup_ms: sinceForkMs });

/** ms from now until `seconds` after the fork */
const untilAfterFork = (seconds: number): number => Math.max(0, seconds * 1000 - (nowMs() - forkedAtMs));

// ---- how it ends: scripted, or by a signal
let ending = false;
const TERMINATING = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function dieBy(signal: string): void {
  for (const s of TERMINATING) process.removeAllListeners(s);
  process.kill(process.pid, signal as NodeJS.Signals);
  // a signal that does not kill a Node process was refused by the scenario's schema
  setTimeout(() => process.exit(128), 2000).unref();
}

function onTerminatingSignal(signal: (typeof TERMINATING)[number]): void {
  const answer = behaviour.onSigterm ?? 'exit255';
  if (answer === 'ignore') {
    record({ ev: 'signal', n, signal, action: 'ignore' });
    return;
  }
  if (ending) return;
  ending = true;
  const cause = signal.toLowerCase();
  if (answer === 'die') {
    record({ ev: 'signal', n, signal, action: 'die' });
    record({ ev: 'exit', n, signal, cause });
    dieBy(signal);
    return;
  }
  const code = answer.startsWith('exit:') ? Number(answer.slice(5)) : 255;
  record({ ev: 'signal', n, signal, action: 'exit' });
  record({ ev: 'exit', n, code, cause });
  process.exit(code);
}

for (const signal of TERMINATING) process.on(signal, () => onTerminatingSignal(signal));
// a supervisor gone from the far end of a pipe is no reason to die
process.on('SIGPIPE', () => {});

if (behaviour.exit !== undefined || behaviour.kill !== undefined) {
  setTimeout(() => {
    if (ending) return;
    ending = true;
    if (behaviour.exit !== undefined) {
      record({ ev: 'exit', n, code: behaviour.exit, cause: 'self' });
      process.exit(behaviour.exit);
    }
    record({ ev: 'exit', n, signal: behaviour.kill, cause: 'self' });
    dieBy(behaviour.kill!);
  }, untilAfterFork(behaviour.after ?? 0));
}
// alive until something above ends it
setInterval(() => {}, 1 << 30);

// ---- the forwards: each -L port listens; a connection is a connection test of the supervisor's
const locals = forwards(argv, '-L');
const remotes = forwards(argv, '-R');
let mode: Mode = behaviour.forward ?? 'healthy';
const servers: Server[] = [];
const open = new Set<Socket>();
let accepted = 0;

function track(socket: Socket): void {
  open.add(socket);
  socket.on('close', () => open.delete(socket));
  socket.on('error', () => socket.destroy());
}

function accept(local: Forward, client: Socket): void {
  const i = ++accepted;
  track(client);
  // autossh's loop form: the -R whose remote port this -L reaches carries the test back to it
  const loop = remotes.find((r) => r.listenPort === local.hostPort);
  const modeNow = mode;
  record({ ev: 'probe', n, i, port: local.listenPort, mode: modeNow, kind: loop ? 'loop' : 'echo' });
  let logged = false;
  const logFirst = (data: Buffer): void => {
    if (logged) return;
    logged = true;
    record({ ev: 'probe_data', n, i, data: data.toString('utf8').slice(0, DATA_LOGGED_CHARS) });
  };
  if (modeNow === 'blackhole') {
    client.on('data', logFirst);
    return;
  }
  const held: Buffer[] = [];
  const hold = (data: Buffer): void => { held.push(data); };
  client.on('data', hold);
  const pass = (): void => {
    if (client.destroyed) return;
    client.off('data', hold);
    let send: (data: Buffer) => void;
    if (loop) {
      const far = connect(loop.hostPort, loop.host === 'localhost' ? '127.0.0.1' : loop.host);
      track(far);
      far.on('error', () => client.destroy());
      far.on('close', () => client.end());
      client.on('close', () => far.destroy());
      far.on('data', (data: Buffer) => client.write(data));
      send = (data) => far.write(data);
    } else {
      send = (data) => client.write(data);
    }
    const forward = (data: Buffer): void => {
      logFirst(data);
      send(data);
    };
    for (const data of held.splice(0)) forward(data);
    client.on('data', forward);
  };
  if (modeNow === 'slow') setTimeout(pass, (behaviour.slowDelay ?? 0) * 1000);
  else pass();
}

function listen(): void {
  for (const local of locals) {
    const server = createServer((client) => accept(local, client));
    server.on('error', (error: NodeJS.ErrnoException) => record({ ev: 'listen_error', n, port: local.listenPort, error: error.code ?? String(error) }));
    server.listen(local.listenPort, '127.0.0.1');
    servers.push(server);
  }
}

function stopListening(): void {
  for (const server of servers.splice(0)) server.close();
  for (const socket of open) socket.destroy();
}

if (mode !== 'refuse') listen();
if (behaviour.breakAfter !== undefined) {
  setTimeout(() => {
    const next = behaviour.breakMode ?? 'blackhole';
    record({ ev: 'forward_mode', n, mode: next });
    if (next === 'refuse') stopListening();
    else if (mode === 'refuse') listen();
    mode = next;
  }, untilAfterFork(behaviour.breakAfter));
}
