// The state of one tunnel's network and server at this instant: counters of the facts in
// force, so overlapping facts of the same kind nest instead of cancelling each other.
import type { Fact } from '../timeline/types.js';

/**
 * What a packet meets on the way to the server now: nothing wrong, silence, a RST, or (the
 * client's own link is down) no route at all. Flows the path forgot (`stale-flows`) are each
 * ssh's own business: see SimulatedSsh.
 */
export type PathState = 'ok' | 'blackhole' | 'refuse' | 'unreachable';

/** Whether packets sent on an open connection now vanish without a word. */
export function isSilent(path: PathState): boolean {
  return path === 'blackhole' || path === 'unreachable';
}

export class Conditions {
  blackholes = 0;
  /** refuse and reset outages, and server restarts: a connect gets RST */
  refusals = 0;
  serversDown = 0;
  authFailures = 0;
  portsBound = 0;
  latencyAddMs = 0;
  /** `stale-flows` outages: the path forgets every flow, and new ones as soon as they open */
  staleFlows = 0;
  /** `link` outages: the client's own link is down */
  linksDown = 0;

  path(): PathState {
    if (this.linksDown > 0) return 'unreachable';
    if (this.blackholes > 0) return 'blackhole';
    if (this.refusals > 0 || this.serversDown > 0) return 'refuse';
    return 'ok';
  }

  /** Apply a lasting fact's start (+1) or end (-1). Instants (crash, signal) are not conditions. */
  apply(fact: Fact, sign: 1 | -1): void {
    switch (fact.kind) {
      case 'outage':
        switch (fact.mode) {
          case 'blackhole': this.blackholes += sign; return;
          case 'refuse':
          case 'reset': this.refusals += sign; return;
          case 'stale-flows': this.staleFlows += sign; return;
          case 'link': this.linksDown += sign; return;
        }
        return;
      case 'serverRestart': this.serversDown += sign; return;
      case 'authFailure': this.authFailures += sign; return;
      case 'remotePortBound': this.portsBound += sign; return;
      case 'latency': this.latencyAddMs += sign * fact.addMs; return;
      case 'sshCrash':
      case 'signal':
        return;
    }
  }
}
