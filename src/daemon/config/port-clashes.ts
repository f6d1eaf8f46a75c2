// Two tunnels of one daemon listening on one local port: the second ssh could never bind it,
// and would restart forever. Refused at load, both named. Each tunnel listens on its -L/-D
// forwards' ports (ssh) and on its monitor's: -M wp makes ssh listen on wp and autossh on wp+1;
// -M wp:ep only on wp. The [status] endpoint's port counts too. Ports compare by number alone,
// whatever address they bind: two loopback addresses sharing a port are rare, a clash is not.
import type { Config } from '../../machine/config/types.js';
import type { StatusListen } from './types.js';

export interface PortUse {
  port: number;
  /** "forward" or "monitor" port, for the message */
  use: string;
}

export function localPortsOf(config: Config): PortUse[] {
  const uses: PortUse[] = [];
  const monitor = config.monitor;
  if (monitor) {
    uses.push({ port: monitor.writePort, use: `monitor port (-M ${monitor.form === 'loop' ? monitor.writePort : `${monitor.writePort}:${monitor.echoPort}`})` });
    if (monitor.form === 'loop') uses.push({ port: monitor.readPort, use: `monitor read port (-M ${monitor.writePort} listens on ${monitor.readPort} too)` });
  }
  // the evidence's ports include the monitor's own -L, which sits in ssh's argv with the forwards
  for (const port of config.evidence.listenPorts) {
    if (!uses.some((u) => u.port === port)) uses.push({ port, use: 'forward port (-L/-D)' });
  }
  return uses;
}

export interface PortClaimant {
  name: string;
  line: number | null;
  config: Config;
}

export interface PortClash {
  /** the later claimant, where the clash is reported */
  line: number | null;
  problem: string;
}

const lineNote = (line: number | null): string => (line === null ? '' : `, line ${line}`);

/** the first clash in file order, or null */
export function findPortClash(tunnels: readonly PortClaimant[], status: StatusListen | null, statusLine: number | null): PortClash | null {
  const owners = new Map<number, { name: string; line: number | null; use: string }>();
  for (const tunnel of tunnels) {
    for (const { port, use } of localPortsOf(tunnel.config)) {
      const owner = owners.get(port);
      if (owner !== undefined && owner.name !== tunnel.name) {
        return {
          line: tunnel.line,
          problem: `tunnel "${tunnel.name}" and tunnel "${owner.name}"${lineNote(owner.line)} both listen on local port ${port} ` +
            `(${tunnel.name}: ${use}; ${owner.name}: ${owner.use}): give each tunnel its own ports`,
        };
      }
      if (owner === undefined) owners.set(port, { name: tunnel.name, line: tunnel.line, use });
    }
  }
  if (status !== null) {
    const owner = owners.get(status.port);
    if (owner !== undefined) {
      return {
        line: statusLine,
        problem: `[status] listen port ${status.port} is also tunnel "${owner.name}"'s${lineNote(owner.line)} ${owner.use}: choose another port for one of them`,
      };
    }
  }
  return null;
}
