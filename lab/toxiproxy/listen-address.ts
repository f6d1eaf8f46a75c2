import { isIP } from 'node:net';
import { ApiError } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

/** "host:port" or "[v6]:port", as Go's net.SplitHostPort reads it. */
export function splitHostPort(address: string): HostPort {
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    // Toxiproxy passes Go's listen error on as a 500.
    throw new ApiError(`listen tcp ${address}: address ${address}: missing port in address`, 500);
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

export function joinHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The embedded server is for test machines: it never listens beyond loopback. A wildcard or
 * "localhost" (common in configs written for a real Toxiproxy) is read as 127.0.0.1; any other
 * address is refused instead of being exposed.
 */
export function loopbackListenHost(host: string): string {
  if (host === '' || host === 'localhost' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  if (isIP(host) === 4 && host.startsWith('127.')) return host;
  if (host === '::1') return host;
  throw new ApiError(
    `listen tcp ${host}: the embedded Toxiproxy listens on loopback only; use 127.0.0.1 or ::1`,
    500,
  );
}
