import { escapeControls, quoted } from './echo.js';

// What an `env` table in the daemon's file may hold, and what every tunnel gets unless the file
// says otherwise. The file is the whole truth: the daemon's own AUTOSSH_* environment is not
// read, so a reload reads exactly what the start read, whatever systemd's environment was.

/** The AUTOSSH_* variables the drop-in reads (src/machine/config/env.ts), each usable per tunnel. */
export const TUNNEL_VARIABLES: readonly string[] = [
  'AUTOSSH_PATH', 'AUTOSSH_LOGLEVEL', 'AUTOSSH_POLL', 'AUTOSSH_FIRST_POLL', 'AUTOSSH_GATETIME',
  'AUTOSSH_MAXSTART', 'AUTOSSH_MESSAGE', 'AUTOSSH_PORT', 'AUTOSSH_MAXLIFETIME', 'AUTOSSH_KILLTIME',
  'AUTOSSH_LIVENESS', 'AUTOSSH_CONNECTTIME', 'AUTOSSH_FORWARDCHECK', 'AUTOSSH_NETWATCH', 'AUTOSSH_JITTER',
];

/** Variables that cannot work inside the daemon, and what to do instead. */
export const REFUSED_VARIABLES: Readonly<Record<string, string>> = {
  AUTOSSH_LOGFILE: 'logging is the daemon\'s, for every tunnel: set AUTOSSH_LOGFILE in the daemon\'s own environment, or leave it to syslog',
  AUTOSSH_DEBUG: 'logging is the daemon\'s: use AUTOSSH_LOGLEVEL = "7" for this tunnel\'s debug messages',
  AUTOSSH_LOGFORMAT: 'logging is the daemon\'s: set [log] format = "json"',
  AUTOSSH_PIDFILE: 'every tunnel runs in the daemon\'s one process: systemd (or a pid file of the daemon\'s) knows its pid',
};

/**
 * Under [defaults].env and each tunnel's env. AUTOSSH_LIVENESS: the liveness rules (D9-D11) are
 * on in daemon mode. AUTOSSH_GATETIME: a daemon keeps trying while the far side comes up, as
 * 1.4g's -f does (which sets it to 0); a tunnel that gave up at boot would stay down until a restart.
 */
export const DAEMON_DEFAULT_ENV: Readonly<Record<string, string>> = {
  AUTOSSH_LIVENESS: '1',
  AUTOSSH_GATETIME: '0',
};

/** null when `name` may appear in an env table, else why not */
export function variableProblem(name: string): string | null {
  if (TUNNEL_VARIABLES.includes(name)) return null;
  const refusal = REFUSED_VARIABLES[name];
  if (refusal !== undefined) return `${name} cannot be set in the daemon's file: ${refusal}`;
  if (!name.startsWith('AUTOSSH_')) {
    return `${quoted(name)} is not an AUTOSSH_* variable: env holds autossh's settings only (ssh options go in args)`;
  }
  return `unknown variable ${escapeControls(name)} (known: ${TUNNEL_VARIABLES.join(', ')})`;
}

/** the tunnel's environment: the daemon's defaults < [defaults].env < the tunnel's env */
export function effectiveEnv(defaults: Readonly<Record<string, string>>, own: Readonly<Record<string, string>>): Record<string, string> {
  return { ...DAEMON_DEFAULT_ENV, ...defaults, ...own };
}
