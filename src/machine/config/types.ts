import type { EstablishmentEvidence } from './establishment.js';

export type Monitor =
  /** `-M wp`: ssh forwards wp to the remote and back to wp+1, where we listen */
  | { form: 'loop'; writePort: number; readPort: number }
  /** `-M wp:ep`: ssh forwards wp to an echo service on the remote port ep */
  | { form: 'echo'; writePort: number; echoPort: number };

export interface Config {
  sshPath: string;
  /** argv for ssh, argv[0] = sshPath, exactly as autossh 1.4g builds it */
  sshArgv: string[];
  monitor: Monitor | null;
  /** AUTOSSH_GATETIME, forced to 0 by -f */
  gateSeconds: number;
  /** AUTOSSH_POLL after the lifetime lowered it */
  pollSeconds: number;
  firstPollSeconds: number;
  /** min(15 s, POLL/2): how long one wait of a connection test may take */
  netTimeoutMs: number;
  /** AUTOSSH_MAXSTART; -1 = forever */
  maxStart: number;
  /** AUTOSSH_MAXLIFETIME; 0 = forever */
  maxLifetimeSeconds: number;
  /** AUTOSSH_KILLTIME (D4): SIGKILL an ssh that outlives SIGTERM by this much; 0 = wait forever */
  killSeconds: number;
  /**
   * AUTOSSH_CONNECTTIME (D9): restart an ssh whose session is not established this long after
   * its start; 0 = off. Only with evidence of establishment (see `evidence`).
   */
  connectSeconds: number;
  /** what shows ssh's session is up: ssh listening on a forward's port, or its own log line */
  evidence: EstablishmentEvidence;
  /** AUTOSSH_FORWARDCHECK (D10): "remote port forwarding failed" means a failed start */
  forwardCheck: boolean;
  /** the ports ssh asks the server to listen on (-R, RemoteForward, -M's): D10 counts only these */
  remoteForwardPorts: number[];
  /** AUTOSSH_NETWATCH (D11): the network coming back ends a backoff wait */
  netWatch: boolean;
  /** AUTOSSH_JITTER (D12): each restart waits up to this many seconds more; 0 = off */
  jitterSeconds: number;
  /** spreads the jitter: differs between supervisors (a pid, a tunnel's index), fixed for one */
  jitterSeed: number;
  /** AUTOSSH_MESSAGE, appended to every connection test's payload */
  testMessage: string;
  pidFile: string | null;
  logFile: string | null;
  logLevel: number;
  /** AUTOSSH_LOGFORMAT: 1.4g's text lines, or one JSON object a line */
  logFormat: 'text' | 'json';
  /** AUTOSSH_DEBUG: everything, also to stderr */
  debug: boolean;
  /** -f */
  runAsDaemon: boolean;
}

export interface Notice {
  level: number;
  message: string;
}

export type ParseOutcome =
  | { kind: 'run'; config: Config; notices: Notice[] }
  | { kind: 'version' }
  /**
   * D13: a host but neither -M nor AUTOSSH_PORT. 1.4g prints usage; Debian's /usr/bin/autossh
   * picks a free port pair and exports AUTOSSH_PORT, and so does our shell (binding is I/O):
   * pick one, then parse again with AUTOSSH_PORT set.
   */
  | { kind: 'needsMonitorPort' }
  /** a usage error: print the usage text (and the getopt complaint), exit 1 */
  | { kind: 'usage'; complaint: string | null }
  /** a bad value (D8): say what and where, exit 1 */
  | { kind: 'error'; message: string };
