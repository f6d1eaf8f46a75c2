// A fault kind: how one schedule step is switched on and off. One small file per kind, found
// by name in a registry (the way Toxiproxy registers its toxics). Each kind names the world it
// needs: Toxiproxy's (sshd on loopback behind one proxy per supervisor) or the network namespace
// (sshd in a namespace of its own, reached over a veth pair), where nftables and the link are ours.
import type { ServerNetns } from '../../world/netns.js';
import type { ToxiproxyClient } from '../toxiproxy-client.js';
import type { ScheduleStep } from '../schedule/types.js';

/** Where a run's tunnels go through: see world.ts. */
export type WorldKind = 'toxiproxy' | 'netns';

export interface FaultWorld {
  /** The Toxiproxy world's server and its proxies (one per supervisor): a fault hits all of them at once. */
  toxiproxy: { client: ToxiproxyClient; proxies: readonly string[] } | undefined;
  /** The namespace world: the server's namespace and the port its sshd listens on. */
  netns: { server: ServerNetns; sshdPort: number } | undefined;
  /** Our own sshd, or undefined when the run uses --target. */
  sshd: { stop(): Promise<void>; start(): Promise<void> } | undefined;
}

export interface ActiveFault {
  /** Switches the fault off again. */
  end(): Promise<void>;
}

export interface FaultKind {
  readonly type: string;
  readonly description: string;
  /** The world the fault needs; 'any': it works in both. */
  readonly world: WorldKind | 'any';
  /**
   * Switching it off closes the connections it held (Toxiproxy's timeout toxic does): an ssh that
   * dies then was ended by the fault's end, not detected. Attribution reads it (attribution.ts).
   */
  readonly endCloses: boolean;
  /** Throws with a clear message when the step cannot run in this world. */
  check(step: ScheduleStep, world: { ownSshd: boolean }): void;
  start(step: ScheduleStep, world: FaultWorld, id: string): Promise<ActiveFault>;
}

/** The world's part a fault needs, or an error naming the step: a kind used in the wrong world is a bug in the checks. */
export function needToxiproxy(world: FaultWorld, type: string): NonNullable<FaultWorld['toxiproxy']> {
  if (world.toxiproxy === undefined) throw new Error(`${type} needs the Toxiproxy world`);
  return world.toxiproxy;
}

export function needNetns(world: FaultWorld, type: string): NonNullable<FaultWorld['netns']> {
  if (world.netns === undefined) throw new Error(`${type} needs the network-namespace world`);
  return world.netns;
}
