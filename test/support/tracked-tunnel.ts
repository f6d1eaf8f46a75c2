// A real Supervisor running the real machine over a simulated world on a virtual clock, its
// TunnelTracker wired as the daemon wires it: fed from SupervisorOptions.observe, and told ssh's
// ends through trackSshEnds before the supervisor hears them. Two worlds:
// - HandHost: nothing happens unless the test says so (ssh ends, tests pass or fail, sessions
//   come up), for exact scenarios;
// - RandomWorld (sim/random-world.ts), seeded, for long adversarial runs.
import type { ProbeRequest, SupervisorHost, Tell } from '../../src/driver/host.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import { createTunnelTracker, trackSshEnds } from '../../src/daemon/tunnel-tracker.js';
import type { TunnelTracker } from '../../src/daemon/status-types.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import type { Effect } from '../../src/machine/effects.js';
import type { SshEnd, WorldEvent } from '../../src/machine/events.js';
import { Prng } from '../../sim/fleet/prng.js';
import { RandomWorld, type RandomWorldOptions } from '../../sim/random-world.js';
import { SimulatedHost } from '../../sim/simulated-host.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

/** The wall clock's reading at virtual time 0: trackers' ISO times are EPOCH + virtual ms. */
export const EPOCH_MS = Date.parse('2026-01-01T00:00:00.000Z');
export const wallClockOf = (clock: VirtualClock) => (): Date => new Date(EPOCH_MS + clock.now());
export const isoAt = (virtualMs: number): string => new Date(EPOCH_MS + virtualMs).toISOString();

export function configOf(args: string[], env: Record<string, string> = {}): Config {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', ...env });
  if (outcome.kind !== 'run') throw new Error(`bad test config ${JSON.stringify(args)}: ${JSON.stringify(outcome)}`);
  return outcome.config;
}

/** A world that moves only when the test moves it. Effects it is asked for are recorded. */
export class HandHost extends SimulatedHost {
  sshAlive = false;
  sshNumber = 0;
  /** the test's probe in flight, if any */
  probe: ProbeRequest | null = null;
  awaiting = false;
  exitCode: number | null = null;
  /** an ssh sent SIGTERM ends at once with this, as OpenSSH does (255); null: it ignores SIGTERM */
  onSigterm: SshEnd | null = { code: 255 };
  failNextSpawn = false;

  override spawnSsh(n: number): void {
    this.sshNumber = n;
    if (this.failNextSpawn) {
      this.failNextSpawn = false;
      this.tellSettled({ type: 'SSH_SPAWN_FAILED', error: 'No such file or directory' });
      return;
    }
    this.sshAlive = true;
  }
  override signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (!this.sshAlive) return;
    if (signal === 'SIGKILL') this.endSsh({ signal: 'SIGKILL' });
    else if (this.onSigterm !== null) this.endSsh(this.onSigterm);
  }
  override runProbe(request: ProbeRequest): void {
    this.probe = request;
  }
  override cancelProbe(probeId: number): void {
    if (this.probe?.probeId === probeId) this.probe = null;
  }
  override awaitEstablished(): void {
    this.awaiting = true;
  }
  override exit(code: number): void {
    this.exitCode = code;
    this.timers.cancelAll();
  }

  /** ssh ends; the supervisor hears it once this instant has settled, as after SIGCHLD */
  endSsh(end: SshEnd): void {
    if (!this.sshAlive) throw new Error('no ssh is running');
    this.sshAlive = false;
    this.awaiting = false;
    this.tellSettled({ type: 'SSH_EXITED', end });
  }
  establish(): void {
    if (!this.awaiting) throw new Error('nobody awaits the session');
    this.awaiting = false;
    this.tellSettled({ type: 'SSH_ESTABLISHED', n: this.sshNumber });
  }
  answerProbe(passed: boolean): void {
    const probe = this.probe;
    if (probe === null) throw new Error('no connection test in flight');
    this.probe = null;
    this.tellSettled(passed ? { type: 'PROBE_PASSED', probeId: probe.probeId } : { type: 'PROBE_FAILED', probeId: probe.probeId, reason: 'test said so' });
  }
}

export interface Tracked<H> {
  name: string;
  supervisor: Supervisor;
  host: H;
  tracker: TunnelTracker;
  /** every effect the supervisor applied, as observe saw them */
  effects: Effect[];
  /** every ssh end and failed start told to the supervisor */
  ends: WorldEvent[];
  sshPid(): number | null;
}

/** A tunnel's parts wired as the daemon wires them; the host is built from its Tell. */
function wire<H extends SupervisorHost>(
  name: string,
  config: Config,
  clock: VirtualClock,
  makeHost: (tell: Tell) => H,
  pidOf: (host: H) => number | null,
  epochMs = EPOCH_MS,
): Tracked<H> {
  const effects: Effect[] = [];
  const ends: WorldEvent[] = [];
  const parts = {} as { supervisor: Supervisor; host: H };
  const tracker = createTunnelTracker(
    {
      name,
      snapshot: () => parts.supervisor.machineSnapshot(),
      sshPid: () => pidOf(parts.host),
      nowMs: () => clock.now(),
    },
    () => new Date(epochMs + clock.now()),
  );
  parts.supervisor = new Supervisor(config, {
    observe: (effect) => {
      effects.push(effect);
      tracker.observe(effect);
    },
  });
  const tellSupervisor: Tell = (event) => {
    if (event.type === 'SSH_EXITED' || event.type === 'SSH_SPAWN_FAILED') ends.push(event);
    parts.supervisor.tell(event);
  };
  parts.host = makeHost(trackSshEnds(tracker, tellSupervisor));
  return { name, ...parts, tracker, effects, ends, sshPid: () => pidOf(parts.host) };
}

/** ssh's pid in these worlds: 4000 + its number, while it runs */
const pidOfNumber = (alive: boolean, n: number): number | null => (alive ? 4000 + n : null);

export interface HandTunnelOptions {
  /** sets the host up before the supervisor's START (which spawns the first ssh at once) */
  beforeStart?: (host: HandHost) => void;
  /** the wall clock at virtual time 0 (EPOCH_MS unless told) */
  epochMs?: number;
}

export function handTunnel(name: string, config: Config, clock: VirtualClock, options: HandTunnelOptions = {}): Tracked<HandHost> {
  const pidOf = (host: HandHost) => pidOfNumber(host.sshAlive, host.sshNumber);
  const tunnel = wire(name, config, clock, (tell) => new HandHost(clock, tell), pidOf, options.epochMs);
  options.beforeStart?.(tunnel.host);
  tunnel.supervisor.start(tunnel.host);
  return tunnel;
}

export function randomTunnel(name: string, config: Config, clock: VirtualClock, seed: number, options: RandomWorldOptions): Tracked<RandomWorld> {
  const tunnel = wire(
    name,
    config,
    clock,
    (tell) => new RandomWorld(clock, new Prng(seed), options, tell),
    (world) => pidOfNumber(world.sshAlive, world.starts),
  );
  tunnel.supervisor.start(tunnel.host);
  return tunnel;
}

const SCENE_CALLBACKS = 10_000;

/**
 * Three tunnels at 36 s: db up since 0; web backing off 2 s after six fast ends by status 255 (from
 * 31 s on); mon stopping an ssh that ignores SIGTERM (KILLTIME 0) after its test failed at 30 s.
 */
export function threeTunnels(epochMs = EPOCH_MS): { clock: VirtualClock; tunnels: Array<Tracked<HandHost>> } {
  const clock = new VirtualClock();
  const env = { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '600' };
  const db = handTunnel('db', configOf(['-M', '0', 'host'], env), clock, { epochMs });
  const web = handTunnel('web', configOf(['-M', '0', 'host'], env), clock, { epochMs });
  const mon = handTunnel('mon', configOf(['-M', '20000', 'host'], { ...env, AUTOSSH_FIRST_POLL: '30', AUTOSSH_KILLTIME: '0' }), clock, { epochMs });
  mon.host.onSigterm = null;
  clock.runUntil(30_000, SCENE_CALLBACKS);
  mon.host.answerProbe(false);
  for (let i = 0; i < 6; i++) {
    clock.runUntil(clock.now() + 1_000, SCENE_CALLBACKS);
    web.host.endSsh({ code: 255 });
    clock.runUntil(clock.now(), SCENE_CALLBACKS);
  }
  return { clock, tunnels: [db, web, mon] };
}

/** A harsh world: short lives, every kind of end, stubborn ssh, failing starts and tests. */
export const HARSH_WORLD: RandomWorldOptions = {
  meanRunMs: 20_000,
  signalDeathChance: 0.2,
  exitStatuses: [0, 1, 2, 255, 255, 255, 7],
  ignoreSigtermChance: 0.2,
  spawnFailChance: 0.03,
  probeFailChance: 0.2,
  maxProbeMs: 3_000,
  recordSteps: false,
};
