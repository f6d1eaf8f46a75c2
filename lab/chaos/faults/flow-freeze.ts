// Flows frozen for good (shared/FIELD-NOTES.md's nftables recipe, in lab/world/flow-freeze.ts):
// while the fault is on, every packet to the server's sshd is dropped, so open sessions die
// silently and a new connection stalls in its TCP handshake; after it, new connections work but
// the flows that were open stay dead. As when a NAT or a firewall in the path forgets its flows.
import { freezeFlows, thawFlows } from '../../world/flow-freeze.js';
import { needNetns, type FaultKind } from './fault-kind.js';

export const flowFreeze: FaultKind = {
  type: 'flow-freeze',
  description: 'nftables in the server namespace: packets to sshd dropped, open flows dead for good after it',
  world: 'netns',
  endCloses: false,
  check() {},
  async start(_step, world) {
    const { server, sshdPort } = needNetns(world, 'flow-freeze');
    await freezeFlows(server, sshdPort);
    return { end: () => thawFlows(server) };
  },
};
