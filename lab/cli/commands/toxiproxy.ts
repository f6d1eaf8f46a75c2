import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import { startToxiproxyServer } from '../../toxiproxy/index.js';

/** Real Toxiproxy's port, so clients and configs written for it work unchanged. */
const DEFAULT_PORT = 8474;

export function registerToxiproxy(program: Command): void {
  program
    .command('toxiproxy')
    .description('run an embedded Toxiproxy-compatible server (loopback only) until SIGINT or SIGTERM')
    .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
    .option('--port <port>', 'port for the HTTP API (0 picks a free one)', parsePort, DEFAULT_PORT)
    .action(async (options: { host: string; port: number }) => {
      const server = await startToxiproxyServer({ host: options.host, port: options.port });
      process.stdout.write(`toxiproxy: listening on ${server.url}\n`);
      const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      process.stderr.write(`toxiproxy: ${String(signal[0] ?? 'signal')} received, closing\n`);
      await server.close();
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a TCP port number from 0 to 65535');
  }
  return port;
}
