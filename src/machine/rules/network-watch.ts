// D11: AUTOSSH_NETWATCH. During a backoff wait the world is asked to tell when the network comes
// back (a link up, an address or a default route appearing); then the wait ends and ssh starts
// now, or, with AUTOSSH_JITTER, after this start's jitter only (D12: a fleet that lost the same
// link must not come back in the same second).
import { assertEvent } from 'xstate';
import { LOG_INFO } from '../config/log-levels.js';
import { jitterMs } from '../decisions/jitter.js';
import {
  networkChangedJitterDecision, networkChangedJitterLog, networkChangedStartDecision, networkChangedStartLog,
} from '../messages.js';
import { stepAction, type GuardArgs, type Step } from '../step.js';

/** entering a backoff wait */
export function watchNetwork(step: Step): void {
  if (step.context.config.netWatch) step.emit({ type: 'watchNetwork' });
}

/** leaving it */
export function unwatchNetwork(step: Step): void {
  if (step.context.config.netWatch) step.emit({ type: 'unwatchNetwork' });
}

export const networkWatchGuards = {
  netWatchOn: ({ context }: GuardArgs) => context.config.netWatch,
  netWatchWithJitter: ({ context }: GuardArgs) => context.config.netWatch && context.config.jitterSeconds > 0,
};

export const networkWatchActions = {
  startOnNetworkChange: stepAction((step) => {
    const { event } = step;
    assertEvent(event, 'NETWORK_CHANGED');
    step.log(LOG_INFO, networkChangedStartLog(event.detail));
    step.decide(networkChangedStartDecision(event.detail));
  }),
  shortenWaitToJitter: stepAction((step) => {
    const { context, event } = step;
    assertEvent(event, 'NETWORK_CHANGED');
    const { jitterSeed, jitterSeconds } = context.config;
    const dueMs = event.atMs + jitterMs(jitterSeed, context.startCount + 1, jitterSeconds);
    step.log(LOG_INFO, networkChangedJitterLog(event.detail));
    step.decide(networkChangedJitterDecision(event.detail));
    if ((context.timers.backoff ?? Infinity) > dueMs) step.arm('backoff', dueMs);
  }),
};
