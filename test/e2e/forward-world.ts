// What the forward tests share: one supervisor keeping one forward (-L or -R) with monitoring
// off (-M 0), through a throwaway sshd, to an echo server, all on loopback. Declared inside a
// describe: started before its tests, stopped after them.
import { afterAll, beforeAll } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, type E2eRun, type Supervisor } from './supervisors.js';

export interface ForwardWorld {
  echo: EchoServer;
  sshd: Sshd;
  run: E2eRun;
  /** where the forward listens: the client's loopback (-L) or the server's (-R, the same host here) */
  port: number;
  /** resolves once a canary crosses the forward; fails at once if the supervisor exits */
  tunnelWorks(): Promise<string>;
}

/** Registers the world's start and stop; the returned function gives the world inside a test. */
export function forwardWorld(sup: Supervisor, forward: '-L' | '-R', recoveryTimeoutMs: number): () => ForwardWorld {
  let world: ForwardWorld | undefined;
  /** what started, latest first: stopped in that order */
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const echo = await startEchoServer();
    stops.unshift(() => echo.stop());
    const sshd = await startSshd();
    stops.unshift(() => sshd.stop());
    const port = await getFreePort();
    const run = startSupervisor(sup, [
      '-M', '0', '-N',
      forward, `127.0.0.1:${port}:127.0.0.1:${echo.port}`,
      ...sshd.clientArgs(),
      sshd.destination,
    ]);
    stops.unshift(() => run.cleanup());
    world = {
      echo, sshd, run, port,
      tunnelWorks: () => waitUntilTunnelWorks(port, recoveryTimeoutMs, { abortIf: run.exitReason }),
    };
  });

  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  return () => {
    if (world === undefined) throw new Error(`the ${forward} world did not start (see its beforeAll)`);
    return world;
  };
}
