// Issue 2's simulator figures: one tunnel for a virtual year; a fleet of 10,000 tunnels on
// one clock for 24 virtual hours; xstate's own floor beside our machine's per-event cost.
// Prints figures; asserts nothing. Run: node --expose-gc dist/bench/machine-costs.js
import { createActor, setup } from 'xstate';
import { FleetScope } from '../src/driver/machine-runner.js';
import { parseCommandLine } from '../src/machine/config/parse.js';
import type { Config } from '../src/machine/config/types.js';
import { Prng, streamSeed } from '../sim/fleet/prng.js';
import { BENIGN_WORLD, RandomWorld, type RandomWorldOptions } from '../sim/random-world.js';
import { Supervisor } from '../src/driver/supervisor.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { parseScenario } from '../sim/oracle/scenario.js';
import { streamScenario } from '../sim/oracle/run-scenario.js';
import { REPLAY_YEAR_CONFIGS, replayYear } from './replay-year.js';

const gc = (globalThis as { gc?: () => void }).gc;

function config(args: string[], env: Record<string, string>): Config {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', ...env });
  if (outcome.kind !== 'run') throw new Error('bad config');
  return outcome.config;
}

function xstateFloorMicros(): number {
  const machine = setup({}).createMachine({ initial: 'a', states: { a: { on: { T: 'b' } }, b: { on: { T: 'a' } } } });
  const actor = createActor(machine).start();
  const n = 300_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) actor.send({ type: 'T' });
  return ((performance.now() - t0) * 1000) / n;
}

/** `autossh-lab scenario` for one virtual year, ssh exiting every 5 min: the run and its streamed trace. */
function scenarioYear(floor: number): void {
  const scenario = parseScenario({
    name: 'year', args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_GATETIME: '0' }, ssh: [{ exit: 255, after: 300 }], cap: 365 * 86_400,
  }, 'bench');
  let bytes = 0;
  const t0 = performance.now();
  streamScenario(scenario, (chunk) => void (bytes += chunk.length));
  const wallMs = performance.now() - t0;
  console.log(`scenario-year (ssh exits every 5 min, ${(bytes / 1e6).toFixed(0)} MB of trace): ${(wallMs / 1000).toFixed(2)} s wall (goal <= 2 s; `
    + `xstate's floor ${floor.toFixed(2)} µs/event)`);
}

function oneTunnelYear(label: string, cfg: Config, floor: number): void {
  const clock = new VirtualClock();
  const supervisor = new Supervisor(cfg);
  const world = new RandomWorld(clock, new Prng(1), { ...BENIGN_WORLD, meanRunMs: 5 * 60_000 }, supervisor.tell);
  const t0 = performance.now();
  supervisor.start(world);
  clock.runUntil(365 * 24 * 3600_000, 100_000_000);
  const wallMs = performance.now() - t0;
  const events = clock.fired;
  console.log(
    `one tunnel, one virtual year (${label}): ${(wallMs / 1000).toFixed(2)} s wall (goal <= 5 s), ` +
      `${world.starts} ssh starts, ${events} events, ${((wallMs * 1000) / events).toFixed(1)} µs/event ` +
      `(${((wallMs * 1000) / events / floor).toFixed(1)}x xstate's floor, goal <= 1.5x)`,
  );
}

/**
 * `scope`: the simulator's fleets, one snapshot per tunnel stepped through one shared scope.
 * `actor`: an xstate actor per tunnel, for comparison (heap only: one virtual hour).
 */
function fleet(tunnels: number, hours: number, cfg: Config, runner: 'scope' | 'actor'): void {
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const clock = new VirtualClock();
  const run = runner === 'scope' ? new FleetScope().run : undefined;
  const worldOptions: RandomWorldOptions = { ...BENIGN_WORLD, meanRunMs: 30 * 60_000 };
  const supervisors: Supervisor[] = [];
  const worlds: RandomWorld[] = [];
  for (let i = 0; i < tunnels; i++) {
    const supervisor = new Supervisor(cfg, run ? { run } : {});
    supervisors.push(supervisor);
    worlds.push(new RandomWorld(clock, new Prng(streamSeed(42, i)), worldOptions, supervisor.tell));
  }
  const t0 = performance.now();
  worlds.forEach((world, i) => supervisors[i]!.start(world));
  clock.runUntil(3600_000, 1_000_000 * tunnels); // one hour in: every tunnel running, the steady state
  gc?.();
  const heapPerTunnel = (process.memoryUsage().heapUsed - heapBefore) / tunnels;
  clock.runUntil(hours * 3600_000, 1_000_000 * tunnels * hours);
  const wallMs = performance.now() - t0;
  const starts = worlds.reduce((sum, w) => sum + w.starts, 0);
  const heap = `${(heapPerTunnel / 1024).toFixed(2)} KB heap per tunnel (goal <= 3 KB)${gc ? '' : ' [run with --expose-gc for a clean heap figure]'}`;
  console.log(
    `fleet of ${tunnels} tunnels (${runner === 'scope' ? 'one shared scope' : 'an actor per tunnel'}), ${hours} virtual hours: ` +
      `${(wallMs / 1000).toFixed(2)} s wall${hours === 24 ? ' (goal <= 30 s)' : ''}, ${heap}, ` +
      `${starts} ssh starts, ${clock.fired} events, ${((wallMs * 1000) / clock.fired).toFixed(1)} µs/event`,
  );
}

const floor = xstateFloorMicros();
console.log(`xstate floor (trivial two-state machine): ${floor.toFixed(2)} µs per event`);
const year = config(['-M', '0', '-N', 'host'], {});
oneTunnelYear('-M 0', year, floor);
oneTunnelYear('-M 20000, POLL=600', config(['-M', '20000', '-N', 'host'], {}), floor);
oneTunnelYear('-M 20000, POLL=60', config(['-M', '20000', '-N', 'host'], { AUTOSSH_POLL: '60' }), floor);
scenarioYear(floor);
const replayed = replayYear(REPLAY_YEAR_CONFIGS[0]!);
console.log(`${replayed.line} (goal <= 5 s; xstate's floor ${floor.toFixed(2)} µs/event)`);
const fleetConfig = config(['-M', '0', '-N', 'host'], {});
fleet(10_000, 24, fleetConfig, 'scope');
fleet(10_000, 1, fleetConfig, 'actor');
fleet(10_000, 24, config(['-M', '20000', '-N', 'host'], {}), 'scope');
