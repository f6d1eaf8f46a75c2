// Every proxy disabled (listener closed, connections cut) for the duration: new connections are
// refused at once, unlike a blackhole.
import type { FaultKind } from './fault-kind.js';

export const proxyDown: FaultKind = {
  type: 'proxy-down',
  description: 'Toxiproxy proxy disabled: connections cut, new ones refused',
  check() {},
  async start(_step, world) {
    await Promise.all(world.proxies.map((p) => world.toxiproxy.setEnabled(p, false)));
    return { end: async () => void (await Promise.all(world.proxies.map((p) => world.toxiproxy.setEnabled(p, true)))) };
  },
};
