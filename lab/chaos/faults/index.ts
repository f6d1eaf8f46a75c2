import type { FaultKind } from './fault-kind.js';
import { proxyDown } from './proxy-down.js';
import { serverRestart } from './server-restart.js';
import { TOXIC_TYPES, toxicKind } from './toxic.js';

export type { ActiveFault, FaultKind, FaultWorld } from './fault-kind.js';
export { TOXIC_TYPES, tryToxicOnce } from './toxic.js';

const KINDS = new Map<string, FaultKind>([
  ...TOXIC_TYPES.map((t) => [t, toxicKind(t)] as const),
  [serverRestart.type, serverRestart],
  [proxyDown.type, proxyDown],
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
