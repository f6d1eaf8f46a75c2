// What the drop-in's parser says about one tunnel's args and env, in the daemon's words: a
// Config to run, or the problem (the drop-in's own message). The drop-in prints its usage text
// where the daemon can only name what is missing; this is the one place that decides it.
import type { Env } from '../../machine/config/env.js';
import { parseCommandLine } from '../../machine/config/parse.js';
import type { Config, Notice } from '../../machine/config/types.js';

export type TunnelOutcome =
  | { kind: 'run'; config: Config; notices: Notice[]; autoMonitorPort: boolean }
  | { kind: 'problem'; problem: string };

export function parseTunnel(args: readonly string[], env: Env, jitterSeed: number): TunnelOutcome {
  const outcome = parseCommandLine(args, env, jitterSeed);
  switch (outcome.kind) {
    case 'run':
      if (outcome.config.runAsDaemon) {
        return { kind: 'problem', problem: '-f cannot be used here: the daemon runs every tunnel in its own process and does not fork per tunnel (remove -f; the daemon\'s tunnels keep trying as -f\'s do, AUTOSSH_GATETIME = 0)' };
      }
      return { kind: 'run', config: outcome.config, notices: outcome.notices, autoMonitorPort: false };
    case 'version':
      return { kind: 'problem', problem: '-V prints the version and runs no tunnel: remove it' };
    case 'error':
      return { kind: 'problem', problem: outcome.message };
    case 'usage':
      return { kind: 'problem', problem: outcome.complaint ?? whatIsMissing() };
    case 'needsMonitorPort': {
      // D13: the pair is picked (bound to be found free) when the tunnel starts; everything
      // else is checked now, with monitoring off as a stand-in
      const provisional = parseTunnel(args, { ...env, AUTOSSH_PORT: '0' }, jitterSeed);
      return provisional.kind === 'run' ? { ...provisional, autoMonitorPort: true } : provisional;
    }
  }
}

/**
 * A usage outcome without a getopt complaint: no destination (a missing monitor port is not a
 * problem since D13: the pair is picked at start).
 */
function whatIsMissing(): string {
  return 'no destination host in args (the last word, e.g. "user@host")';
}
