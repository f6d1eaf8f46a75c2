// One line per world fact, for traces and reports.
import { formatDuration } from '../timeline/duration.js';
import type { Fact } from '../timeline/types.js';

export function describeFact(fact: Fact): string {
  switch (fact.kind) {
    case 'outage':
      switch (fact.mode) {
        case 'stale-flows': return `the path forgets its flows for ${formatDuration(fact.forMs)} (open connections fall silent for good)`;
        case 'link': return `the client's link is down for ${formatDuration(fact.forMs)}`;
        default: return `network outage (${fact.mode}) for ${formatDuration(fact.forMs)}`;
      }
    case 'serverRestart': return `server restart, sshd away for ${formatDuration(fact.forMs)}`;
    case 'authFailure': return `authentication failing for ${formatDuration(fact.forMs)}`;
    case 'remotePortBound': return `remote port still bound on the server for ${formatDuration(fact.forMs)}`;
    case 'latency': return `latency +${fact.addMs} ms for ${formatDuration(fact.forMs)}`;
    case 'sshCrash': return fact.signal ? `ssh crashes (${fact.signal})` : `ssh exits with status ${fact.exitCode}`;
    case 'signal': return `operator sends ${fact.signal} to autossh`;
  }
}
