// The ssh server every tunnel of a chaos run ends at: the lab's own throwaway sshd (on loopback, or
// in the network-namespace world on its veth address), or a server the user names with --target.
// What differs is only how ssh must be told about it, and whether the lab can stop it; where the
// supervisors' ssh connect (a proxy, or the sshd itself) is the world's TunnelEntry.
import { startSshd, type Sshd } from '../world/sshd.js';
import type { Teardown } from './teardown.js';

/** `--target user@host[:port]`. */
export interface Target {
  user: string;
  host: string;
  port: number;
}

export interface SshServer {
  host: string;
  port: number;
  /** The lab's own sshd. */
  own: boolean;
  user: string;
  /** ssh options for reaching this server; the port (`-p`) and host are added per tunnel. */
  clientArgs: string[];
  /** Stopping and starting it again (server-restart faults); undefined for a --target server. */
  control: { stop(): Promise<void>; start(): Promise<void> } | undefined;
}

export function parseTarget(text: string): Target {
  const match = /^([^@\s]+)@(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(text);
  const port = Number(match?.[3] ?? 22);
  if (!match || !(port > 0 && port < 65536)) throw new Error(`--target "${text}": expected user@host or user@host:port`);
  return { user: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port };
}

export async function startSshServer(target: Target | undefined, teardown: Teardown, event: (line: string) => void): Promise<SshServer> {
  if (target !== undefined) {
    return {
      ...target,
      own: false,
      // ssh connects to the proxy on 127.0.0.1: the alias makes the real name's known_hosts entry apply.
      clientArgs: ['-o', `HostKeyAlias=${target.host}`, '-o', 'ExitOnForwardFailure=yes', '-o', 'BatchMode=yes'],
      control: undefined,
    };
  }
  const sshd = await startSshd();
  teardown.defer(() => sshd.stop());
  event(`sshd on ${sshd.host}:${sshd.port}`);
  return ownSshServer(sshd);
}

/** The lab's own sshd as a run's server. */
export function ownSshServer(sshd: Sshd): SshServer {
  return {
    host: sshd.host,
    port: sshd.port,
    own: true,
    user: sshd.user,
    // No ServerAlive: that is the supervisor arguments' to choose.
    clientArgs: withoutPort(sshd.clientArgs({ ServerAliveInterval: null, ServerAliveCountMax: null })),
    control: { stop: () => sshd.halt(), start: () => sshd.resume() },
  };
}

/** Drops `-p N` from sshd.clientArgs(): each tunnel names the port it connects to. */
function withoutPort(args: string[]): string[] {
  const i = args.lastIndexOf('-p');
  return i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
}
