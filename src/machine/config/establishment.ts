// What shows that an ssh has really established its session, read from its argv. OpenSSH binds
// its -L and -D listeners (and the -M monitor's -L) only after authentication, so ssh listening
// on one of those ports is the evidence that needs no change to ssh's argv. With LogLevel
// VERBOSE (or more, or -v) that the user asked for, ssh also says "Authenticated to HOST" on
// its stderr: the evidence when there is no port (weaker: see establishmentEvidence). Without
// either there is no evidence, and the connect-time rule stays off.
import { eachSshOption, listenPortOf, splitSshOption } from './forward-specs.js';
import type { OptionTable } from './ssh-options.js';

export interface EstablishmentEvidence {
  /** local TCP ports ssh listens on once its session is up */
  listenPorts: number[];
  /** ssh's own "Authenticated to" line will be on its stderr, and is the evidence (no port) */
  authLine: boolean;
}

const VERBOSE_LEVELS = new Set(['verbose', 'debug', 'debug1', 'debug2', 'debug3']);

/**
 * Reads ssh's argv (argv[0] excluded) for the ports ssh will listen on and for a verbose log
 * level. The line is evidence only when there is no port: a listener on one of ssh's own ports
 * can come only after authentication, where the line's text can also come from the server (its
 * banner, SSH2_MSG_USERAUTH_BANNER, which ssh prints as it is at LogLevel INFO and above).
 */
export function establishmentEvidence(sshArgs: readonly string[], table: OptionTable): EstablishmentEvidence {
  const listenPorts: number[] = [];
  let verbose = false;
  const add = (port: number | null): void => {
    if (port !== null && !listenPorts.includes(port)) listenPorts.push(port);
  };
  eachSshOption(sshArgs, table, (letter, value) => {
    if (letter === 'L' || letter === 'D') add(listenPortOf(value, letter === 'D'));
    if (letter === 'v') verbose = true;
    if (letter !== 'o') return;
    const { name, words } = splitSshOption(value);
    if (name === 'loglevel' && VERBOSE_LEVELS.has(words.join(' ').toLowerCase())) verbose = true;
    // "[bind:]port host:hostport" or "[bind:]port": the first word is the listening side
    if (name === 'localforward' || name === 'dynamicforward') add(listenPortOf(words[0] ?? '', true));
  });
  return { listenPorts, authLine: verbose && listenPorts.length === 0 };
}
