// What the simulated ssh reads from its argv: the -o options that decide how it fails, and
// its remote (-R) forwards, whose ports a stale server-side binding can block. Option names
// are case-insensitive and both "-o Key=Value", "-oKey=Value" and "-o 'Key Value'" work, as in
// OpenSSH. Like OpenSSH, the FIRST value given for an option wins (RemoteForward adds up).

export interface SshOptions {
  /** ServerAliveInterval in s; 0 = off (OpenSSH's default) */
  serverAliveIntervalSeconds: number;
  /** ServerAliveCountMax; OpenSSH's default is 3 */
  serverAliveCountMax: number;
  /** ConnectTimeout in s; null = the kernel's SYN retry limit */
  connectTimeoutSeconds: number | null;
  /** ExitOnForwardFailure=yes */
  exitOnForwardFailure: boolean;
  /** how many -R forwards (autossh's loop-form monitor adds one) */
  remoteForwards: number;
  /**
   * the server ports those forwards listen on, in argv order: what ssh names in "remote port
   * forwarding failed for listen port N" (port 0, which the server picks, and unix sockets have none)
   */
  remoteListenPorts: number[];
}

// ssh's own options that take a value (ssh(1) SYNOPSIS): their value is never a flag cluster.
const TAKES_VALUE = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/**
 * The listen port of a remote forward spec, as ssh(1) writes them: `[bind:]port:host:hostport`,
 * `[bind:]port:local_socket`, `[bind:]port` (dynamic), `remote_socket:...`; an IPv6 bind address
 * in brackets. Null when the server listens on a socket or picks the port (0).
 */
export function remoteListenPortOf(spec: string): number | null {
  const parts = spec.startsWith('[') ? ['bind', ...spec.slice(spec.indexOf(']') + 2).split(':')] : spec.split(':');
  const isPort = (text: string | undefined): text is string => text !== undefined && /^\d+$/.test(text);
  let portText: string | undefined;
  if (parts.length >= 4) portText = parts[1];
  else if (isPort(parts[0])) portText = parts[0]; // port[:host:hostport] or port:local_socket
  else if (isPort(parts[1])) portText = parts[1]; // bind:port[:local_socket]
  if (!isPort(portText)) return null;
  const port = Number(portText);
  return port > 0 && port <= 65535 ? port : null;
}

export function readSshOptions(argv: readonly string[]): SshOptions {
  const options = new Map<string, string>();
  let remoteForwards = 0;
  const remoteListenPorts: number[] = [];
  const addRemoteForward = (spec: string): void => {
    remoteForwards++;
    const port = remoteListenPortOf(spec);
    if (port !== null) remoteListenPorts.push(port);
  };
  const setOption = (text: string): void => {
    const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(text);
    if (!match) return;
    const key = match[1]!.toLowerCase();
    // "RemoteForward [bind:]port host:hostport": each one adds a forward, like -R
    if (key === 'remoteforward') addRemoteForward(match[2]!.split(/\s+/)[0]!);
    else if (!options.has(key)) options.set(key, match[2]!);
  };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') break; // the destination: the rest is the remote command
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      if (!TAKES_VALUE.has(letter)) continue;
      const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i] ?? '';
      if (letter === 'o') setOption(value);
      if (letter === 'R') addRemoteForward(value);
      break;
    }
  }
  const int = (key: string, fallback: number): number => {
    const raw = options.get(key);
    const n = raw === undefined ? NaN : Number.parseInt(raw, 10);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  const connect = int('connecttimeout', 0);
  return {
    serverAliveIntervalSeconds: int('serveraliveinterval', 0),
    serverAliveCountMax: int('serveralivecountmax', 3),
    connectTimeoutSeconds: connect > 0 ? connect : null,
    exitOnForwardFailure: (options.get('exitonforwardfailure') ?? 'no').toLowerCase() === 'yes',
    remoteForwards,
    remoteListenPorts,
  };
}
