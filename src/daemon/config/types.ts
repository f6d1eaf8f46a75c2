// The daemon's configuration once a TOML file was read and every tunnel validated.
import type { Config, Notice } from '../../machine/config/types.js';
import { escapeControls } from './echo.js';
import type { RestartPolicy } from '../restart-policy.js';

export interface TunnelDefinition {
  /** unique in the file: the key for reload, logs and metrics */
  name: string;
  /** the line of its [[tunnel]] header in the file, when known (optional: definitions built by hand have none) */
  line?: number | null;
  /** the line that sets its AUTOSSH_PATH (its own env's, else [defaults]'s), when the file sets one */
  sshPathLine?: number | null;
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

/**
 * A broken configuration file: the file, the line when known, and the problem. The message is one
 * line whatever the file held: control characters left in the problem (a value the drop-in's
 * parser quotes, a TOML error) or in the path are escaped (./echo.ts).
 */
export class ConfigFileError extends Error {
  readonly problem: string;

  constructor(
    readonly file: string,
    readonly line: number | null,
    problem: string,
  ) {
    const shownFile = escapeControls(file);
    const shownProblem = escapeControls(problem);
    super(line === null ? `${shownFile}: ${shownProblem}` : `${shownFile}:${line}: ${shownProblem}`);
    this.problem = shownProblem;
    this.name = 'ConfigFileError';
  }
}
