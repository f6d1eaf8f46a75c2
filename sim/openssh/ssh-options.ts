// What the simulated ssh reads from its argv: the -o options that decide how it fails, and
// whether it has remote (-R) forwards that a stale server-side binding can block. Option names
// are case-insensitive and both "-o Key=Value", "-oKey=Value" and "-o 'Key Value'" work, as in
// OpenSSH. Like OpenSSH, the FIRST value given for an option wins.

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
}

// ssh's own options that take a value (ssh(1) SYNOPSIS): their value is never a flag cluster.
const TAKES_VALUE = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

export function readSshOptions(argv: readonly string[]): SshOptions {
  const options = new Map<string, string>();
  let remoteForwards = 0;
  const setOption = (text: string): void => {
    const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(text);
    if (!match) return;
    const key = match[1]!.toLowerCase();
    if (!options.has(key)) options.set(key, match[2]!);
  };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') break; // the destination: the rest is the remote command
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      if (!TAKES_VALUE.has(letter)) continue;
      const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i] ?? '';
      if (letter === 'o') setOption(value);
      if (letter === 'R') remoteForwards++;
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
  };
}
