// A tunnel of a chaos run: one supervisor under test, where its ssh connects (its own proxy, or
// the namespace's sshd), its forward (-L to the echo service, or -R from the server back to ours),
// and the canary that measures it. Every tunnel's facts are kept here as they are decided, so
// nothing later has to read them back out of a command line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '../world/ports.js';
import { Canary } from './canary.js';
import { WatchedSupervisor } from './supervisor.js';
import { supervisorArgv, supervisorEnv, type ForwardSpec, type SupervisorSpec } from './supervisor-command.js';
import type { CanaryAddress, ChaosWorld, TunnelEntry } from './world.js';
import type { ForwardKind } from './schedule/types.js';
import type { RunClock } from './run-clock.js';
import type { Teardown } from './teardown.js';

export interface ChaosTunnel {
  supervisor: WatchedSupervisor;
  canary: Canary;
  forward: ForwardSpec;
  entry: TunnelEntry;
  /** Where the canary connects: the -L port on 127.0.0.1, or its way to the -R port on the server. */
  canaryAddress: CanaryAddress;
}

export interface TunnelPlan {
  supervisors: readonly SupervisorSpec[];
  /** autossh arguments before the lab's own ssh options. */
  supervisorArgs: readonly string[];
  /** AUTOSSH_* settings for every supervisor, over the lab's environment's. */
  env: Record<string, string> | undefined;
  /** AUTOSSH_* settings the schedule asks for, under the lab's environment's. */
  scheduleEnv: Record<string, string>;
  forward: ForwardKind;
  /** A -L forward's far end as the server sees it. */
  echoAddress: string;
}

/** Starts every supervisor, then every canary; each is stopped by the teardown. */
export async function startTunnels(plan: TunnelPlan, world: ChaosWorld, clock: RunClock, teardown: Teardown, event: (line: string) => void): Promise<ChaosTunnel[]> {
  const logDir = mkdtempSync(join(tmpdir(), 'autossh-lab-chaos-'));
  teardown.defer(() => rmSync(logDir, { recursive: true, force: true }));
  const forwards: ForwardSpec[] = [];
  for (let i = 0; i < plan.supervisors.length; i++) {
    forwards.push(
      plan.forward === 'local'
        ? { kind: 'local', listenPort: await getFreePort(), farEnd: plan.echoAddress }
        : { kind: 'remote', listenPort: await world.remotePort(), localPort: world.clientEchoPort },
    );
  }
  const remote = forwards.filter((f) => f.kind === 'remote').map((f) => f.listenPort);
  const remoteCanaries = await world.canariesForRemotePorts(remote);

  const tunnels: ChaosTunnel[] = [];
  for (const [index, spec] of plan.supervisors.entries()) {
    const entry = world.entries[index]!;
    const forward = forwards[index]!;
    const argv = await supervisorArgv(spec, plan.supervisorArgs, {
      index,
      server: world.server,
      connect: { host: entry.host, port: entry.port },
      forward,
      echoPort: world.echoPort,
    });
    const canaryAddress = forward.kind === 'local' ? { host: '127.0.0.1', port: forward.listenPort } : remoteCanaries[remote.indexOf(forward.listenPort)]!;
    const logFile = join(logDir, `supervisor-${index + 1}.log`);
    const env = supervisorEnv(logFile, plan.env, plan.scheduleEnv);
    const supervisor = new WatchedSupervisor({ label: spec.label, argv, env, logFile, now: clock.now });
    teardown.defer(() => supervisor.stop());
    const canary = new Canary(canaryAddress.port, clock.now, canaryAddress.host);
    teardown.defer(() => canary.stop());
    tunnels.push({ supervisor, canary, forward, entry, canaryAddress });
    event(`${spec.label}: ${argv.join(' ')}`);
  }
  for (const { canary } of tunnels) canary.start();
  return tunnels;
}

/**
 * Measurements end here, just before the lab stops the supervisors: the ssh ends that stopping
 * causes are not detections. Returns, per tunnel, why its supervisor exited by itself, if it did.
 */
export function endObservation(tunnels: readonly ChaosTunnel[], clock: RunClock): { observedEndMs: number; exited: Array<string | null> } {
  const exited = tunnels.map((t) => t.supervisor.exitedOnItsOwn() ?? null);
  for (const { supervisor } of tunnels) supervisor.poll();
  return { observedEndMs: clock.now(), exited };
}

export async function stopTunnels(tunnels: readonly ChaosTunnel[]): Promise<void> {
  for (const { canary } of tunnels) canary.stop();
  await Promise.all(tunnels.map((t) => t.supervisor.stop()));
}
