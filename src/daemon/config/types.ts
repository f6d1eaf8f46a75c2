// The daemon's configuration once a TOML file was read and every tunnel validated.
import type { Config, Notice } from '../../machine/config/types.js';
import type { RestartPolicy } from '../restart-policy.js';

export interface TunnelDefinition {
  /** unique in the file: the key for reload, logs and metrics */
  name: string;
  /** the line of its [[tunnel]] header in the file, when known (optional: definitions built by hand have none) */
  line?: number | null;
  /** exactly autossh's argv (without argv[0]) */
  args: string[];
  /** the AUTOSSH_* settings this tunnel runs with: the daemon's defaults, [defaults].env, its own env */
  env: Record<string, string>;
  /**
   * parsed by the drop-in's own parser (parseCommandLine): same rules, same messages. With
   * autoMonitorPort, a provisional one (monitoring off) until the daemon picks the pair.
   */
  config: Config;
  /**
   * no -M and no AUTOSSH_PORT (D13): the daemon picks a free monitor port pair when it starts
   * the tunnel, and parses again with AUTOSSH_PORT set, as the drop-in does
   */
  autoMonitorPort?: boolean;
  notices: Notice[];
  /** equal keys: the definition did not change, a reload leaves the tunnel alone */
  definitionKey: string;
  /**
   * what follows a run of its machine that ended (../restart-policy.ts); not part of
   * definitionKey: a reload applies a new policy to the running tunnel. Absent: the daemon's default
   */
  restart?: RestartPolicy;
}

export interface StatusListen {
  host: string;
  port: number;
}

export interface DaemonConfig {
  /** the file it came from, as given */
  path: string;
  /** [status] listen: the read-only HTTP endpoint; null when the file has no [status] */
  status: StatusListen | null;
  logFormat: 'text' | 'json';
  tunnels: TunnelDefinition[];
}

/** A broken configuration file: the file, the line when known, and the problem. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(line === null ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = 'ConfigFileError';
  }
}
