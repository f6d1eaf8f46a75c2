// The command line and environment one supervisor of a chaos run gets: the user's autossh
// arguments first (ssh keeps the first value of an option, so theirs win), then the lab's ssh
// options for the server, the proxy's port, and the -L forward to the echo service.
import { getFreePort } from '../world/ports.js';
import type { SshServer } from './ssh-server.js';

export interface SupervisorSpec {
  label: string;
  /** Program and leading arguments, e.g. ['/usr/lib/autossh/autossh']. */
  cmd: string[];
}

/** What a supervisor runs with when the user gives no arguments after `--`. */
export const DEFAULT_SUPERVISOR_ARGS = ['-M', '0', '-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2'];

export interface SupervisorPlacement {
  /** 0 for the supervisor under test; compared ones follow. */
  index: number;
  server: SshServer;
  proxyPort: number;
  forwardPort: number;
  /** The lab's own echo service, for `-M echo`. */
  echoPort: number;
  /** The forward's far end as the server sees it. */
  echoAddress: string;
}

export async function supervisorArgv(spec: SupervisorSpec, userArgs: readonly string[], placement: SupervisorPlacement): Promise<string[]> {
  const args = await monitorPortsFor(userArgs, placement.index, placement.echoPort);
  return [
    ...spec.cmd,
    ...args,
    ...placement.server.clientArgs,
    '-p',
    String(placement.proxyPort),
    ...(args.includes('-N') ? [] : ['-N']),
    '-L',
    `127.0.0.1:${placement.forwardPort}:${placement.echoAddress}`,
    `${placement.server.user}@127.0.0.1`,
  ];
}

/**
 * `-M echo` (a lab shorthand) becomes `-M FREE:ECHOPORT`: autossh's echo form against the lab's
 * echo service. Any other non-zero `-M` keeps its form, but the compared supervisors get their own
 * free ports, since two cannot listen on one.
 */
async function monitorPortsFor(args: readonly string[], index: number, echoPort: number): Promise<string[]> {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    let value: string | undefined;
    let set: (v: string) => void;
    if (out[i] === '-M' && i + 1 < out.length) {
      value = out[i + 1];
      const at = i + 1;
      set = (v) => (out[at] = v);
    } else if (out[i]!.startsWith('-M') && out[i]!.length > 2) {
      value = out[i]!.slice(2);
      const at = i;
      set = (v) => (out[at] = `-M${v}`);
    } else continue;
    if (value === 'echo') set!(`${await getFreePort()}:${echoPort}`);
    else if (index > 0 && value !== undefined && !/^0(:|$)/.test(value)) {
      const colon = value.indexOf(':');
      set!(`${await getFreePort()}${colon >= 0 ? value.slice(colon) : ''}`);
    }
  }
  return out;
}

/** The lab reads AUTOSSH_LOGFILE itself, so that one is always the lab's. */
export function supervisorEnv(logFile: string, extra: Record<string, string> = {}): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('AUTOSSH_') && e[1] !== undefined),
  );
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C',
    AUTOSSH_PATH: '/usr/bin/ssh',
    AUTOSSH_GATETIME: '0',
    AUTOSSH_LOGLEVEL: '7',
    ...inherited,
    ...extra,
    AUTOSSH_LOGFILE: logFile,
  };
}
