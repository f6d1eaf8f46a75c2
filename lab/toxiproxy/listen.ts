import type { Server as NetServer } from 'node:net';

/**
 * Resolves once `server` listens, rejects if it cannot; unlike racing `events.once` promises,
 * it leaves no listener behind that could turn a later 'error' into an unhandled rejection.
 */
export function listen(server: NetServer, options: { host: string; port: number }): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address !== 'object') resolve(options);
      else resolve({ host: address.address, port: address.port });
    });
  });
}
