// [status] listen = "host:port": where the read-only HTTP endpoint listens. An IP address, or
// "localhost"; IPv6 in brackets ("[::1]:9273"). Loopback is the default and the advice; another
// address is accepted when the file says so, since that is the operator's explicit choice.
import { isIP } from 'node:net';
import { quoted } from './echo.js';
import type { StatusListen } from './types.js';

export const DEFAULT_STATUS_LISTEN = '127.0.0.1:9273';

/** the StatusListen, or the reason `text` is not one */
export function parseListen(text: string): StatusListen | string {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  const plain = /^([^:[\]]*):([^:]*)$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) return `listen ${quoted(text)} is not host:port (write an IPv6 address in brackets: "[::1]:9273")`;
  const host = match[1]!;
  const portText = match[2]!;
  if (host === '') return `listen ${quoted(text)} has no address (write ${quoted(`127.0.0.1:${portText}`)} for loopback, ${quoted(`0.0.0.0:${portText}`)} for every interface)`;
  const family = isIP(host);
  if (bracketed && family !== 6) return `listen ${quoted(text)}: ${quoted(host)} in brackets is not an IPv6 address`;
  if (!bracketed && family !== 4 && host !== 'localhost') return `listen ${quoted(text)}: ${quoted(host)} is not an IP address (or localhost)`;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return `listen ${quoted(text)}: port ${quoted(portText)} is not a number from 1 to 65535`;
  }
  return { host, port: Number(portText) };
}
