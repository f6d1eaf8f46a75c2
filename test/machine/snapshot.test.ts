// A run persisted mid-way and restored continues exactly as the uninterrupted run does.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import { Prng } from '../../sim/fleet/prng.js';
import { SupervisedRandomWorld, type RandomWorldOptions } from '../../sim/random-world.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const MAX_CALLBACKS = 10_000_000;

const WORLD: RandomWorldOptions = {
  meanRunMs: 20_000, signalDeathChance: 0.2, exitStatuses: [255, 255, 1, 2], ignoreSigtermChance: 0.2,
  spawnFailChance: 0, probeFailChance: 0.3, maxProbeMs: 4000, recordSteps: true,
};

function config(): Config {
  const outcome = parseCommandLine(['-M', '20000', '-N', 'host'], {
    AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '10', AUTOSSH_FIRST_POLL: '3', AUTOSSH_MAXLIFETIME: '3600',
  });
  if (outcome.kind !== 'run') throw new Error('bad config');
  return outcome.config;
}

describe('snapshots', () => {
  it('a restored snapshot continues identically', () => {
    const endMs = 3_600_000 + 10_000;
    const splitMs = 1_234_567;

    const clockA = new VirtualClock();
    const runA = new SupervisedRandomWorld(clockA, new Prng(7), config(), WORLD);
    runA.start();
    clockA.runUntil(endMs, MAX_CALLBACKS);
    const worldA = runA.world;

    // the same run, persisted at splitMs and continued by a fresh supervisor
    const clockB = new VirtualClock();
    const runB = new SupervisedRandomWorld(clockB, new Prng(7), config(), WORLD);
    runB.start();
    clockB.runUntil(splitMs, MAX_CALLBACKS);
    const persisted = JSON.parse(JSON.stringify(runB.supervisor.snapshot()));
    const stateAtSplit = runB.supervisor.machineSnapshot().value;
    // the world's timers are dropped: the restored supervisor must re-arm them from the snapshot
    runB.restore(persisted);
    expect(runB.supervisor.machineSnapshot().value).toEqual(stateAtSplit);
    clockB.runUntil(endMs, MAX_CALLBACKS);
    const worldB = runB.world;

    expect(worldA.steps.length).toBeGreaterThan(50);
    expect(worldB.steps).toEqual(worldA.steps);
    expect(worldB.exitCode).toBe(worldA.exitCode);
  });
});
