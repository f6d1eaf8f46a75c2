// The ports in ssh's forward specifications, and a walk over ssh's argv that finds them. Shared by
// D9 (ssh listens on its -L/-D ports once its session is up) and D10 (a refusal counts only for
// one of the tunnel's own -R ports).
import type { OptionTable } from './ssh-options.js';

/**
 * The listening side's port of a forward: `[bind:]port:host:hostport`, `[bind:]port:/socket`,
 * or `[bind:]port` (a dynamic one), or null (a unix socket listens, a bad spec). -L and -R share
 * these shapes; `dynamic` says the spec has no target part (-D, -R's SOCKS form, the first word
 * of LocalForward/RemoteForward). Port 0 is kept only where the server picks one (-R 0:...).
 */
export function listenPortOf(spec: string, dynamic: boolean, allowZero = false): number | null {
  const parts = spec.startsWith('[') ? [spec.slice(1, spec.indexOf(']')), ...spec.slice(spec.indexOf(']') + 2).split(':')] : spec.split(':');
  // a forward to a unix socket ends in its path: the listening side is what comes before
  const toSocket = !dynamic && parts.length >= 2 && parts[parts.length - 1]!.startsWith('/');
  const listening = toSocket ? parts.slice(0, -1) : parts;
  const count = listening.length;
  const portText = dynamic || toSocket ? listening[count - 1] : count === 3 ? listening[0] : count === 4 ? listening[1] : undefined;
  if (portText === undefined || !/^\d+$/.test(portText)) return null;
  const port = Number(portText);
  return (port > 0 || (allowZero && port === 0)) && port <= 65535 ? port : null;
}

/** -R's SOCKS form (`[bind:]port`) has no target: one part, or two ending in a port. */
export function isDynamicRemoteSpec(spec: string): boolean {
  const afterBracket = spec.startsWith('[') ? spec.slice(spec.indexOf(']') + 1) : null;
  if (afterBracket !== null) return /^:\d+$/.test(afterBracket);
  const parts = spec.split(':');
  return parts.length === 1 || (parts.length === 2 && /^\d+$/.test(parts[1]!));
}

/** A `-o Name=value` or `-o "Name value"` option: its name, lowercased, and its value's words. */
export function splitSshOption(value: string): { name: string; words: string[] } {
  const [key = '', ...words] = value.split(/[=\s]+/);
  return { name: key.toLowerCase(), words };
}

/**
 * Calls `option` for each option in ssh's argv (argv[0] excluded) as ssh(1) reads them: options,
 * the destination, more options (OpenSSH parses those too), then the remote command, where its
 * options end; `--` ends them. A flag without a value is given ''.
 */
export function eachSshOption(sshArgs: readonly string[], table: OptionTable, option: (letter: string, value: string) => void): void {
  let sawDestination = false;
  for (let i = 0; i < sshArgs.length; i++) {
    const arg = sshArgs[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg.length < 2) {
      if (sawDestination) break; // the remote command
      sawDestination = true;
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      if (table.takesValue(letter)) {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : sshArgs[++i];
        if (value !== undefined) option(letter, value);
        break;
      }
      option(letter, '');
    }
  }
}

/**
 * The ports ssh asks the server to listen on (-R and RemoteForward, the -M monitor's -R among
 * them), as ssh names them in "remote port forwarding failed for listen port N". A remote unix
 * socket has no port; `-R 0:...` (the server picks) is 0, as ssh's line would say.
 */
export function remoteForwardPorts(sshArgs: readonly string[], table: OptionTable): number[] {
  const ports: number[] = [];
  const add = (port: number | null): void => {
    if (port !== null && !ports.includes(port)) ports.push(port);
  };
  eachSshOption(sshArgs, table, (letter, value) => {
    if (letter === 'R') add(listenPortOf(value, isDynamicRemoteSpec(value), true));
    if (letter !== 'o') return;
    const { name, words } = splitSshOption(value);
    // "[bind:]port host:hostport", "[bind:]port /socket" or "[bind:]port": the first word listens
    if (name === 'remoteforward') add(listenPortOf(words[0] ?? '', true, true));
  });
  return ports;
}
