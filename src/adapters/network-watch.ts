// D11: the network coming back, noticed while a backoff wait runs. Polled, not subscribed: a look
// reads the links from /sys/class/net (admin flag, carrier, carrier_up_count), the addresses
// through getifaddrs (os.networkInterfaces) and the default routes from /proc/net/route and
// ipv6_route, all of the process's own network namespace. Measured on the CI machine: 0.1-0.5 ms
// of CPU per look (1 to 5 interfaces; ≈ 0.75 ms counting a fresh process's first looks), so at
// most 0.3% of a core at one look every 250 ms, and only during a wait; a change is seen within
// one period (measured 8-255 ms from `ip link set up` to the report). No child process (ip
// monitor) to spawn per wait, to kill, or to leave behind, no parsing of iproute2's text, and no
// window between the wait's start and a subscription where a change would be missed: the first
// look is the baseline and every later one compares with it.
//
// Only "comes back" counts: a link that goes up (or went down and up between two looks: its
// carrier_up_count moved), a global address that appears, a default route that appears. A link
// going down, an address or a route going away, are not news. A burst of changes (the link, then
// its addresses and routes) is told once, at its first sign: later changes are folded in until
// the network has been quiet for BURST_QUIET_MS.
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export const NETWORK_POLL_MS = 250;
/** A burst ends after this long without a change; its later changes are not told again. */
export const BURST_QUIET_MS = 1_000;

const SYS_NET = '/sys/class/net';
const IFF_UP = 0x1;
const RTF_UP = 0x1;
const RTF_REJECT = 0x200;
const IPV6_ANY = '0'.repeat(32);

export interface LinkState {
  up: boolean;
  /** times its carrier came up since the interface exists: a flap between two looks moves it */
  carrierUps: number;
}

export interface NetworkState {
  links: Map<string, LinkState>;
  /** "ADDRESS on IFACE", global ones only: loopback and link-local addresses lead nowhere */
  addresses: Set<string>;
  /** "IPv4 via IFACE", "IPv6 via IFACE" */
  defaultRoutes: Set<string>;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

function readLinks(): Map<string, LinkState> {
  const links = new Map<string, LinkState>();
  let names: string[];
  try {
    names = readdirSync(SYS_NET);
  } catch {
    return links;
  }
  for (const name of names) {
    if (name === 'lo') continue;
    const flags = readText(`${SYS_NET}/${name}/flags`);
    if (flags === null) continue; // gone in between
    // up and carrying: the admin flag and the carrier, both as the driver has them now (operstate
    // would lag: the kernel's linkwatch updates it up to a second later); a link that does not
    // report its carrier (tun, dummy) has one whenever it is up
    const up = (parseInt(flags, 16) & IFF_UP) !== 0 && readText(`${SYS_NET}/${name}/carrier`)?.trim() === '1';
    const carrierUps = Number(readText(`${SYS_NET}/${name}/carrier_up_count`)?.trim() ?? 0);
    links.set(name, { up, carrierUps: Number.isFinite(carrierUps) ? carrierUps : 0 });
  }
  return links;
}

function isLinkLocal(address: string, family: string): boolean {
  return family === 'IPv6' ? /^fe[89ab]/i.test(address) : address.startsWith('169.254.');
}

function readAddresses(): Set<string> {
  const addresses = new Set<string>();
  // getifaddrs: only interfaces that are up and running, so an address is one that can be used
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const address of list ?? []) {
      if (address.internal || isLinkLocal(address.address, address.family)) continue;
      addresses.add(`${address.address} on ${name}`);
    }
  }
  return addresses;
}

function readDefaultRoutes(): Set<string> {
  const routes = new Set<string>();
  // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
  for (const line of (readText('/proc/net/route') ?? '').split('\n').slice(1)) {
    const [iface, destination, , flags, , , , mask] = line.trim().split(/\s+/);
    if (destination === '00000000' && mask === '00000000' && (parseInt(flags ?? '0', 16) & RTF_UP) !== 0) routes.add(`IPv4 via ${iface}`);
  }
  // dest destlen src srclen nexthop metric refcnt use flags iface
  for (const line of (readText('/proc/net/ipv6_route') ?? '').split('\n')) {
    const fields = line.trim().split(/\s+/);
    const flags = parseInt(fields[8] ?? '0', 16);
    const iface = fields[9];
    if (fields[0] !== IPV6_ANY || fields[1] !== '00' || iface === 'lo') continue;
    if ((flags & RTF_UP) !== 0 && (flags & RTF_REJECT) === 0) routes.add(`IPv6 via ${iface}`);
  }
  return routes;
}

/** One look at this process's network namespace. */
export function readNetworkState(): NetworkState {
  return { links: readLinks(), addresses: readAddresses(), defaultRoutes: readDefaultRoutes() };
}

/** What came back between two looks, in words; empty when nothing did (only losses, or nothing). */
export function cameBack(before: NetworkState, after: NetworkState): string[] {
  const news: string[] = [];
  for (const [name, link] of after.links) {
    const was = before.links.get(name);
    if (!link.up) continue;
    if (was === undefined || !was.up) news.push(`link ${name} up`);
    else if (link.carrierUps > was.carrierUps) news.push(`link ${name} down and up again`);
  }
  for (const address of after.addresses) if (!before.addresses.has(address)) news.push(`address ${address}`);
  for (const route of after.defaultRoutes) if (!before.defaultRoutes.has(route)) news.push(`default route ${route}`);
  return news;
}

export interface NetworkWatchOptions {
  pollMs?: number;
  burstQuietMs?: number;
  /** the look itself; tests may count them */
  read?: () => NetworkState;
  now?: () => number;
}

/**
 * Watches from start() to stop(): `onChange` gets one detail per burst of "comes back" changes
 * ("link eth0 up, address 10.0.0.2 on eth0"). Safe to stop() from inside onChange.
 */
export class NetworkWatch {
  private timer: NodeJS.Timeout | null = null;
  private last: NetworkState | null = null;
  /** when the burst being folded saw its latest change; null outside a burst */
  private burstLastChangeMs: number | null = null;
  private readonly pollMs: number;
  private readonly burstQuietMs: number;
  private readonly read: () => NetworkState;
  private readonly now: () => number;

  constructor(private readonly onChange: (detail: string) => void, options: NetworkWatchOptions = {}) {
    this.pollMs = options.pollMs ?? NETWORK_POLL_MS;
    this.burstQuietMs = options.burstQuietMs ?? BURST_QUIET_MS;
    this.read = options.read ?? readNetworkState;
    this.now = options.now ?? (() => performance.now());
  }

  get watching(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer !== null) return;
    this.last = this.read();
    this.burstLastChangeMs = null;
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.last = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.look(), this.pollMs);
  }

  private look(): void {
    const now = this.now();
    const state = this.read();
    const news = this.last === null ? [] : cameBack(this.last, state);
    this.last = state;
    this.schedule();
    if (this.burstLastChangeMs !== null && now - this.burstLastChangeMs >= this.burstQuietMs) this.burstLastChangeMs = null;
    if (news.length === 0) return;
    const folded = this.burstLastChangeMs !== null;
    this.burstLastChangeMs = now;
    if (!folded) this.onChange(news.join(', '));
  }
}
