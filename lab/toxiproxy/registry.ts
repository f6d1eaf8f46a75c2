import type { ToxicKind } from './toxic.js';
import { bandwidth } from './toxics/bandwidth.js';
import { latency } from './toxics/latency.js';
import { limitData } from './toxics/limit-data.js';
import { noop } from './toxics/noop.js';
import { resetPeer } from './toxics/reset-peer.js';
import { slicer } from './toxics/slicer.js';
import { slowClose } from './toxics/slow-close.js';
import { timeout } from './toxics/timeout.js';

/** The toxic types the API accepts, by their Toxiproxy name. A new toxic is one file plus one line here. */
const registry = new Map<string, ToxicKind>();

export function registerToxic(kind: ToxicKind): void {
  registry.set(kind.type, kind);
}

export function findToxicKind(type: string): ToxicKind | undefined {
  return registry.get(type);
}

export function toxicTypes(): string[] {
  return [...registry.keys()];
}

for (const kind of [noop, latency, timeout, resetPeer, bandwidth, slowClose, limitData, slicer]) {
  registerToxic(kind);
}
