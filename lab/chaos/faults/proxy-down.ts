// Every proxy disabled (listener closed, connections cut) for the duration: new connections are
// refused at once, unlike a blackhole.
import { needToxiproxy, type FaultKind } from './fault-kind.js';

export const proxyDown: FaultKind = {
  type: 'proxy-down',
  description: 'Toxiproxy proxy disabled: connections cut, new ones refused',
  world: 'toxiproxy',
  endCloses: false,
  check() {},
  async start(_step, world) {
    const { client, proxies } = needToxiproxy(world, 'proxy-down');
    await Promise.all(proxies.map((p) => client.setEnabled(p, false)));
    return { end: async () => void (await Promise.all(proxies.map((p) => client.setEnabled(p, true)))) };
  },
};
