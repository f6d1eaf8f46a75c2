// The link between the supervisors and the server goes down: the veth end in the root namespace
// (the supervisors' side) is set down for the duration, then up. Open sessions hear nothing; new
// connects fail at once ("No route to host"), so supervisors see fast failures and back off.
// Bringing it up is what a network watch (AUTOSSH_NETWATCH) sees: the link and its route return.
import { needNetns, type FaultKind } from './fault-kind.js';

export const linkDown: FaultKind = {
  type: 'link-down',
  description: "the supervisors' end of the link to the server down, then up",
  world: 'netns',
  endCloses: false,
  check() {},
  async start(_step, world) {
    const { server } = needNetns(world, 'link-down');
    await server.linkDown();
    return { end: () => server.linkUp() };
  },
};
