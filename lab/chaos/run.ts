// One chaos run: a real tunnel (sshd, an echo service at the far end of its forward, and either
// one Toxiproxy proxy per supervisor or a network namespace around sshd: world.ts), the
// supervisors under test side by side, faults applied on schedule to all of them at once, and
// per-fault measurements. Each step below lives in its own file;
// this one only orders them. Whatever happens (bad input, a fault the server rejects, Ctrl-C),
// everything started here is stopped before runChaos settles: each step registers its own undoing
// with the run's Teardown as soon as it has started something.
import { findFaultKind, isToxicType, tryToxicOnce, worldForSteps, type FaultWorld, type WorldKind } from './faults/index.js';
import { expandSchedule, type Fault, type Schedule } from './schedule/types.js';
import { FaultRunner } from './fault-runner.js';
import { RunClock } from './run-clock.js';
import { supervisorResult, type ChaosResult, type FaultRecord } from './result.js';
import { parseTarget, type Target } from './ssh-server.js';
import { reportStatus, statusLine } from './status-line.js';
import { DEFAULT_SUPERVISOR_ARGS, type SupervisorSpec } from './supervisor-command.js';
import { Teardown } from './teardown.js';
import { waitForRecovery, waitUntilCarrying } from './traffic-waits.js';
import { endObservation, startTunnels, stopTunnels } from './tunnels.js';
import { buildWorld, checkWorldPlan, type ChaosWorld } from './world.js';

const START_TIMEOUT_MS = 30_000;
/** When neither the caller nor the schedule says. */
export const RECOVERY_TIMEOUT_MS = 30_000;
/** Observation after the last recovery, so the plot shows the tunnel steady again. */
const TAIL_MS = 1_000;

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
  /** A -L forward's far end as the server sees it; default the lab's echo server on its loopback. */
  echoAddress?: string;
  /** An external Toxiproxy; default: the embedded server. */
  toxiproxyUrl?: string;
  signal?: AbortSignal;
  /** Frequent one-line status while running. */
  onStatus?: (line: string) => void;
  /** Fault started/ended, setup steps. */
  onEvent?: (line: string) => void;
  startTimeoutMs?: number;
  /** Default: the schedule's, else RECOVERY_TIMEOUT_MS. */
  recoveryTimeoutMs?: number;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const clock = new RunClock(options.signal);
  const startedAt = new Date().toISOString();
  const event = options.onEvent ?? (() => {});
  const { faults, target, worldKind } = checkBeforeStarting(options);
  const { schedule } = options;
  const teardown = new Teardown();
  try {
    const world = await buildWorld(
      { kind: worldKind, toxiproxyUrl: options.toxiproxyUrl, target, supervisorCount: options.supervisors.length, forward: schedule.forward },
      clock,
      teardown,
      event,
    );
    if (world.toxiproxy) {
      for (const step of schedule.steps) {
        if (isToxicType(step.type)) await tryToxicOnce(step, world.toxiproxy.client, world.entries[0]!.proxy!);
      }
    }
    clock.checkAbort();

    const tunnels = await startTunnels(
      {
        supervisors: options.supervisors,
        supervisorArgs: options.supervisorArgs ?? DEFAULT_SUPERVISOR_ARGS,
        env: options.env,
        scheduleEnv: schedule.env,
        forward: schedule.forward,
        echoAddress: options.echoAddress ?? `127.0.0.1:${world.echoPort}`,
      },
      world,
      clock,
      teardown,
      event,
    );
    await waitUntilCarrying(tunnels, clock, options.startTimeoutMs ?? START_TIMEOUT_MS);
    const scheduleStartMs = clock.now();
    event(`tunnel up after ${(scheduleStartMs / 1000).toFixed(1)} s; schedule "${options.schedule.name}" starts`);

    const runner = new FaultRunner(faults, faultWorld(world), clock, scheduleStartMs, event);
    teardown.defer(() => runner.liftActive());
    const status = reportStatus(options.onStatus, () => statusLine(clock.now(), runner, tunnels));
    teardown.defer(() => status.stop());
    const faultRecords = await runner.play();

    await waitForRecovery(tunnels, clock, lastEndMs(faultRecords), options.recoveryTimeoutMs ?? schedule.recoveryTimeoutMs ?? RECOVERY_TIMEOUT_MS);
    await clock.sleep(TAIL_MS);
    status.stop();
    const { observedEndMs, exited } = endObservation(tunnels, clock);
    await stopTunnels(tunnels);
    const runEndMs = clock.now();

    const { netns } = world;
    return {
      schedule: { name: schedule.name, description: schedule.description },
      startedAt,
      world: world.kind,
      toxiproxy: world.toxiproxy ? { url: world.toxiproxy.url, embedded: world.toxiproxy.embedded } : null,
      netns: netns ? { namespace: netns.ns, rootDevice: netns.rootDev, rootAddress: netns.rootAddr, serverAddress: netns.serverAddr, subnet: netns.subnet } : null,
      sshd: { host: world.server.host, port: world.server.port, own: world.server.own },
      forward: schedule.forward,
      scheduleEnv: schedule.env,
      scheduleStartMs,
      observedEndMs,
      runEndMs,
      faults: faultRecords,
      supervisors: tunnels.map((tunnel, i) => supervisorResult(tunnel, faultRecords, observedEndMs, exited[i] ?? null)),
    };
  } finally {
    await teardown.run();
  }
}

/** Everything that can be checked without starting anything, so bad input starts nothing. */
function checkBeforeStarting(options: ChaosOptions): { faults: Fault[]; target: Target | undefined; worldKind: WorldKind } {
  const faults = expandSchedule(options.schedule);
  const target = options.target === undefined ? undefined : parseTarget(options.target);
  for (const step of options.schedule.steps) findFaultKind(step.type)!.check(step, { ownSshd: target === undefined });
  const worldKind = worldForSteps(options.schedule.steps);
  checkWorldPlan({ kind: worldKind, target, echoAddress: options.echoAddress, forward: options.schedule.forward });
  if (options.supervisors.length === 0) throw new Error('no supervisor to run');
  return { faults, target, worldKind };
}

function faultWorld(world: ChaosWorld): FaultWorld {
  return {
    toxiproxy: world.toxiproxy ? { client: world.toxiproxy.client, proxies: world.entries.map((e) => e.proxy!) } : undefined,
    netns: world.netns ? { server: world.netns, sshdPort: world.server.port } : undefined,
    sshd: world.server.control,
  };
}

function lastEndMs(faults: readonly FaultRecord[]): number {
  return Math.max(...faults.map((f) => f.endMs));
}
