import type { FaultKind, WorldKind } from './fault-kind.js';
import { flowFreeze } from './flow-freeze.js';
import { linkDown } from './link-down.js';
import { proxyDown } from './proxy-down.js';
import { serverRestart } from './server-restart.js';
import { TOXIC_TYPES, toxicKind } from './toxic.js';
import type { ScheduleStep } from '../schedule/types.js';

export type { ActiveFault, FaultKind, FaultWorld, WorldKind } from './fault-kind.js';
export { TOXIC_TYPES, tryToxicOnce } from './toxic.js';

const KINDS = new Map<string, FaultKind>([
  ...TOXIC_TYPES.map((t) => [t, toxicKind(t)] as const),
  [serverRestart.type, serverRestart],
  [proxyDown.type, proxyDown],
  [flowFreeze.type, flowFreeze],
  [linkDown.type, linkDown],
]);

export function faultTypes(): string[] {
  return [...KINDS.keys()];
}

export function findFaultKind(type: string): FaultKind | undefined {
  return KINDS.get(type);
}

export function isToxicType(type: string): boolean {
  return (TOXIC_TYPES as readonly string[]).includes(type);
}

/**
 * The world a schedule's steps need: the namespace world when a step needs it, else Toxiproxy's.
 * One run has one world, so a schedule that needs both is refused, naming a step of each.
 */
export function worldForSteps(steps: readonly ScheduleStep[]): WorldKind {
  const needs = (kind: WorldKind): ScheduleStep | undefined => steps.find((s) => findFaultKind(s.type)?.world === kind);
  const netns = needs('netns');
  const toxiproxy = needs('toxiproxy');
  if (netns && toxiproxy) {
    throw new Error(
      `step "${netns.name}" (${netns.type}) needs the network-namespace world and step "${toxiproxy.name}" (${toxiproxy.type}) ` +
        'needs Toxiproxy\'s; one run has one world: put them in two schedules',
    );
  }
  return netns ? 'netns' : 'toxiproxy';
}
