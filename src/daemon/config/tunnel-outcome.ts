// What the drop-in's parser says about one tunnel's args and env, in the daemon's words: a
// Config to run, or the problem (the drop-in's own message). The drop-in prints its usage text
// where the daemon can only name what is missing; this is the one place that decides it.
import type { Env } from '../../machine/config/env.js';
import { parseCommandLine } from '../../machine/config/parse.js';
import type { Config, Notice } from '../../machine/config/types.js';

export type TunnelOutcome = { kind: 'run'; config: Config; notices: Notice[] } | { kind: 'problem'; problem: string };

const PLACEHOLDER_HOST = 'placeholder-host';

export function parseTunnel(args: readonly string[], env: Env, jitterSeed: number): TunnelOutcome {
  const outcome = parseCommandLine(args, env, jitterSeed);
  switch (outcome.kind) {
    case 'run':
      if (outcome.config.runAsDaemon) {
        return { kind: 'problem', problem: '-f cannot be used here: the daemon runs every tunnel in its own process and does not fork per tunnel (remove -f; the daemon\'s tunnels keep trying as -f\'s do, AUTOSSH_GATETIME = 0)' };
      }
      return { kind: 'run', config: outcome.config, notices: outcome.notices };
    case 'version':
      return { kind: 'problem', problem: '-V prints the version and runs no tunnel: remove it' };
    case 'error':
      return { kind: 'problem', problem: outcome.message };
    case 'usage':
      return { kind: 'problem', problem: outcome.complaint ?? whatIsMissing(args, env, jitterSeed) };
  }
}

/**
 * A usage outcome without a getopt complaint: no destination, or no monitor port (no -M, no
 * AUTOSSH_PORT), or both. The parser tells which when asked again with each supplied.
 */
function whatIsMissing(args: readonly string[], env: Env, jitterSeed: number): string {
  const withPort = parseCommandLine(args, { ...env, AUTOSSH_PORT: '0' }, jitterSeed);
  const withHost = parseCommandLine([...args, PLACEHOLDER_HOST], env, jitterSeed);
  const noHost = withPort.kind === 'usage';
  const noPort = withHost.kind === 'usage';
  const portAdvice = 'give -M PORT in args (-M 0 for no monitoring) or AUTOSSH_PORT in env';
  if (noHost && noPort) return `no destination host and no monitor port in args: ${portAdvice}, and the host last`;
  if (noPort) return `no monitor port: ${portAdvice}`;
  return 'no destination host in args (the last word, e.g. "user@host")';
}
