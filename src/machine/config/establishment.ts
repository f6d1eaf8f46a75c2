// What shows that an ssh has really established its session, read from its argv. OpenSSH binds
// its -L and -D listeners (and the -M monitor's -L) only after authentication, so ssh listening
// on one of those ports is the evidence that needs no change to ssh's argv. With LogLevel
// VERBOSE (or more, or -v) that the user asked for, ssh also says "Authenticated to HOST" on
// its stderr. Without either there is no evidence, and the connect-time rule stays off.
import type { OptionTable } from './ssh-options.js';

export interface EstablishmentEvidence {
  /** local TCP ports ssh listens on once its session is up */
  listenPorts: number[];
  /** ssh's own "Authenticated to" line will be on its stderr */
  authLine: boolean;
}

const VERBOSE_LEVELS = new Set(['verbose', 'debug', 'debug1', 'debug2', 'debug3']);

/**
 * `[bind:]port:host:hostport`, `[bind:]port:/remote.sock` or `[bind:]port` (-D): the local
 * port, or null (a local unix socket, a bad spec).
 */
function localPortOf(spec: string, dynamic: boolean): number | null {
  const parts = spec.startsWith('[') ? [spec.slice(1, spec.indexOf(']')), ...spec.slice(spec.indexOf(']') + 2).split(':')] : spec.split(':');
  // a forward to a remote unix socket ends in its path: the local side is what comes before
  const toSocket = !dynamic && parts.length >= 2 && parts[parts.length - 1]!.startsWith('/');
  const local = toSocket ? parts.slice(0, -1) : parts;
  const count = local.length;
  const portText = dynamic || toSocket ? local[count - 1] : count === 3 ? local[0] : count === 4 ? local[1] : undefined;
  if (portText === undefined || !/^\d+$/.test(portText)) return null;
  const port = Number(portText);
  return port > 0 && port <= 65535 ? port : null;
}

/**
 * Reads ssh's argv (argv[0] excluded) as ssh(1) does: options, the destination, more options
 * (OpenSSH parses those too), then the remote command, where its options end; `--` ends them.
 */
export function establishmentEvidence(sshArgs: readonly string[], table: OptionTable): EstablishmentEvidence {
  const listenPorts: number[] = [];
  let authLine = false;
  const option = (letter: string, value: string): void => {
    if (letter === 'L' || letter === 'D') {
      const port = localPortOf(value, letter === 'D');
      if (port !== null && !listenPorts.includes(port)) listenPorts.push(port);
    } else if (letter === 'o') {
      const [key = '', ...rest] = value.split(/[=\s]+/);
      const setting = rest.join(' ').toLowerCase();
      const name = key.toLowerCase();
      if (name === 'loglevel' && VERBOSE_LEVELS.has(setting)) authLine = true;
      if (name === 'localforward' || name === 'dynamicforward') {
        // "[bind:]port host:hostport" or "[bind:]port": the first word is the listening side
        const port = localPortOf(rest[0] ?? '', true);
        if (port !== null && !listenPorts.includes(port)) listenPorts.push(port);
      }
    } else if (letter === 'v') {
      authLine = true;
    }
  };
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
  return { listenPorts, authLine };
}
