// The ssh server goes away (listener and every session killed) and comes back on the same port,
// with the same keys, when the step ends.
import type { FaultKind } from './fault-kind.js';

export const serverRestart: FaultKind = {
  type: 'server-restart',
  description: 'sshd stopped (all sessions dropped) for the duration, then started again',
  world: 'any',
  endCloses: false,
  check(step, world) {
    if (!world.ownSshd) {
      throw new Error(`step "${step.name}": server-restart needs the lab's own sshd; it cannot restart a --target server`);
    }
  },
  async start(_step, world) {
    const sshd = world.sshd;
    if (sshd === undefined) throw new Error('server-restart needs the lab\'s own sshd');
    await sshd.stop();
    return { end: () => sshd.start() };
  },
};
