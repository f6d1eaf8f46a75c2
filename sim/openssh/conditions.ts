// The state of one tunnel's network and server at this instant: counters of the facts in
// force, so overlapping facts of the same kind nest instead of cancelling each other.
import type { Fact } from '../timeline/types.js';

export type PathState = 'ok' | 'blackhole' | 'refuse';

export class Conditions {
  blackholes = 0;
  /** refuse and reset outages, and server restarts: a connect gets RST */
  refusals = 0;
  serversDown = 0;
  authFailures = 0;
  portsBound = 0;
  latencyAddMs = 0;

  path(): PathState {
    if (this.blackholes > 0) return 'blackhole';
    if (this.refusals > 0 || this.serversDown > 0) return 'refuse';
    return 'ok';
  }

  /** Apply a lasting fact's start (+1) or end (-1). Instants (crash, signal) are not conditions. */
  apply(fact: Fact, sign: 1 | -1): void {
    switch (fact.kind) {
      case 'outage':
        if (fact.mode === 'blackhole') this.blackholes += sign;
        else this.refusals += sign;
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
