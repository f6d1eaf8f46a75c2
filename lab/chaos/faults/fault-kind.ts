// A fault kind: how one schedule step is switched on and off. One small file per kind, found
// by name in a registry (the way Toxiproxy registers its toxics).
import type { ToxiproxyClient } from '../toxiproxy-client.js';
import type { ScheduleStep } from '../schedule/types.js';

export interface FaultWorld {
  toxiproxy: ToxiproxyClient;
  /** Every proxy of the run (one per supervisor): a fault hits all of them at once. */
  proxies: readonly string[];
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
  /** Throws with a clear message when the step cannot run in this world. */
  check(step: ScheduleStep, world: { ownSshd: boolean }): void;
  start(step: ScheduleStep, world: FaultWorld, id: string): Promise<ActiveFault>;
}
