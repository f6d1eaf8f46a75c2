// D13 in the daemon: a tunnel with no -M and no AUTOSSH_PORT gets a free monitor port pair
// when it is about to start, found by binding (src/adapters/monitor-port.ts), and its command
// line is parsed again with AUTOSSH_PORT set, exactly as the drop-in does.
import { withPickedMonitorPort } from '../adapters/monitor-port.js';
import { parseCommandLine } from '../machine/config/parse.js';
import type { DaemonConfig, TunnelDefinition } from './config/types.js';

export async function withPickedMonitorPorts(config: DaemonConfig): Promise<DaemonConfig> {
  const tunnels: TunnelDefinition[] = [];
  for (const tunnel of config.tunnels) tunnels.push(tunnel.autoMonitorPort ? await pickFor(tunnel) : tunnel);
  return { ...config, tunnels };
}

async function pickFor(tunnel: TunnelDefinition): Promise<TunnelDefinition> {
  const env = await withPickedMonitorPort(tunnel.env);
  const outcome = parseCommandLine(tunnel.args, env, tunnel.config.jitterSeed);
  // the loader checked everything else with monitoring off: only the port differs now
  if (outcome.kind !== 'run') throw new Error(`tunnel "${tunnel.name}": AUTOSSH_PORT=${env.AUTOSSH_PORT} was refused (${outcome.kind})`);
  // definitionKey stays the file's: a reload keeps this tunnel (and its pair) while it is unchanged
  return { ...tunnel, env, config: outcome.config, notices: outcome.notices };
}
