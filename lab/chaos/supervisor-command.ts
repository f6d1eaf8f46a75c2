// The command line and environment one supervisor of a chaos run gets: the user's autossh
// arguments first (ssh keeps the first value of an option, so theirs win), then the lab's ssh
// options for the server, the port it connects to (a proxy's, or the sshd's itself), and the
// forward: -L to the echo service at the far end, or -R from a port on the server back to ours.
import { getFreePort } from '../world/ports.js';
import type { SshServer } from './ssh-server.js';

export interface SupervisorSpec {
  label: string;
  /** Program and leading arguments, e.g. ['/usr/lib/autossh/autossh']. */
  cmd: string[];
}

/** What a supervisor runs with when the user gives no arguments after `--`. */
export const DEFAULT_SUPERVISOR_ARGS = ['-M', '0', '-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2'];

/** The tunnel's one forward. */
export type ForwardSpec =
  /** `-L 127.0.0.1:listenPort:farEnd`: farEnd as the server sees it. */
  | { kind: 'local'; listenPort: number; farEnd: string }
  /** `-R 127.0.0.1:listenPort:127.0.0.1:localPort`: listenPort on the server's loopback, localPort on ours. */
  | { kind: 'remote'; listenPort: number; localPort: number };

export interface SupervisorPlacement {
  /** 0 for the supervisor under test; compared ones follow. */
  index: number;
  server: SshServer;
  /** Where its ssh connects: a proxy on 127.0.0.1, or the sshd's own address. */
  connect: { host: string; port: number };
  forward: ForwardSpec;
  /** The lab's own echo service as the server sees it, for `-M echo`. */
  echoPort: number;
}

export function forwardArgs(forward: ForwardSpec): string[] {
  return forward.kind === 'local'
    ? ['-L', `127.0.0.1:${forward.listenPort}:${forward.farEnd}`]
    : ['-R', `127.0.0.1:${forward.listenPort}:127.0.0.1:${forward.localPort}`];
}

export async function supervisorArgv(spec: SupervisorSpec, userArgs: readonly string[], placement: SupervisorPlacement): Promise<string[]> {
  const args = await monitorPortsFor(userArgs, placement.index, placement.echoPort);
  return [
    ...spec.cmd,
    ...args,
    ...placement.server.clientArgs,
    '-p',
    String(placement.connect.port),
    ...(args.includes('-N') ? [] : ['-N']),
    ...forwardArgs(placement.forward),
    `${placement.server.user}@${placement.connect.host}`,
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

/**
 * The lab reads AUTOSSH_LOGFILE itself, so that one is always the lab's. Precedence, lowest first:
 * the lab's defaults, the schedule's settings, the lab's own environment's AUTOSSH_*, `extra`.
 */
export function supervisorEnv(logFile: string, extra: Record<string, string> = {}, scheduleEnv: Record<string, string> = {}): Record<string, string> {
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
    ...scheduleEnv,
    ...inherited,
    ...extra,
    AUTOSSH_LOGFILE: logFile,
  };
}
