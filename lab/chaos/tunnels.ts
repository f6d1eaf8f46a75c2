// A tunnel of a chaos run: one supervisor under test, its own proxy, its -L forward, and the
// canary that measures it. Every tunnel's facts (ports, proxy) are kept here as they are decided,
// so nothing later has to read them back out of a command line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '../world/ports.js';
import { Canary } from './canary.js';
import { WatchedSupervisor } from './supervisor.js';
import { supervisorArgv, supervisorEnv, type SupervisorSpec } from './supervisor-command.js';
import type { ChaosProxy, ChaosWorld } from './world.js';
import type { RunClock } from './run-clock.js';
import type { Teardown } from './teardown.js';

export interface Tunnel {
  supervisor: WatchedSupervisor;
  canary: Canary;
  forwardPort: number;
  proxy: ChaosProxy;
}

export interface TunnelPlan {
  supervisors: readonly SupervisorSpec[];
  /** autossh arguments before the lab's own ssh options. */
  supervisorArgs: readonly string[];
  /** AUTOSSH_* settings for every supervisor. */
  env: Record<string, string> | undefined;
  /** The forward's far end as the server sees it. */
  echoAddress: string;
}

/** Starts every supervisor, then every canary; each is stopped by the teardown. */
export async function startTunnels(plan: TunnelPlan, world: ChaosWorld, clock: RunClock, teardown: Teardown, event: (line: string) => void): Promise<Tunnel[]> {
  const logDir = mkdtempSync(join(tmpdir(), 'autossh-lab-chaos-'));
  teardown.defer(() => rmSync(logDir, { recursive: true, force: true }));
  const tunnels: Tunnel[] = [];
  for (const [index, spec] of plan.supervisors.entries()) {
    const proxy = world.proxies[index]!;
    const forwardPort = await getFreePort();
    const argv = await supervisorArgv(spec, plan.supervisorArgs, {
      index,
      server: world.server,
      proxyPort: proxy.port,
      forwardPort,
      echoPort: world.echoPort,
      echoAddress: plan.echoAddress,
    });
    const logFile = join(logDir, `supervisor-${index + 1}.log`);
    const supervisor = new WatchedSupervisor({ label: spec.label, argv, env: supervisorEnv(logFile, plan.env), logFile, now: clock.now });
    teardown.defer(() => supervisor.stop());
    const canary = new Canary(forwardPort, clock.now);
    teardown.defer(() => canary.stop());
    tunnels.push({ supervisor, canary, forwardPort, proxy });
    event(`${spec.label}: ${argv.join(' ')}`);
  }
  for (const { canary } of tunnels) canary.start();
  return tunnels;
}

/**
 * Measurements end here, just before the lab stops the supervisors: the ssh ends that stopping
 * causes are not detections. Returns, per tunnel, why its supervisor exited by itself, if it did.
 */
export function endObservation(tunnels: readonly Tunnel[], clock: RunClock): { observedEndMs: number; exited: Array<string | null> } {
  const exited = tunnels.map((t) => t.supervisor.exitedOnItsOwn() ?? null);
  for (const { supervisor } of tunnels) supervisor.poll();
  return { observedEndMs: clock.now(), exited };
}

export async function stopTunnels(tunnels: readonly Tunnel[]): Promise<void> {
  for (const { canary } of tunnels) canary.stop();
  await Promise.all(tunnels.map((t) => t.supervisor.stop()));
}
