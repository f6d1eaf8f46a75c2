// D10: a stale remote listener (decisions/forward-retry.ts has the schedule and why). ssh number
// n said "remote port forwarding failed" for one of our -R ports: stop it and restart on the
// short retry schedule instead of 1.4g's growing grace time. A run of them in a row moves along
// the schedule; any other way ssh ends closes the run: another stop (Step.stop), or an ssh that
// exits on its own (endForwardRun). The wait itself is planned with the others (rules/wait.ts).
import { assertEvent } from 'xstate';
import { LOG_ERR } from '../config/log-levels.js';
import { isOwnRemoteForward } from '../decisions/forward-retry.js';
import { forwardFailedDecision, forwardFailedLog } from '../messages.js';
import { stepAction, type GuardArgs, type Step } from '../step.js';

/** an ssh that ended on its own, not by a forward failure, closes any forward-retry run */
export function endForwardRun(step: Step): void {
  if (step.context.forwardFailures > 0) step.set({ forwardFailures: 0 });
}

export const forwardRetryGuards = {
  currentSshForwardFailed: ({ context, event }: GuardArgs) => {
    assertEvent(event, 'REMOTE_FORWARD_FAILED');
    const { forwardCheck, remoteForwardPorts } = context.config;
    return forwardCheck && event.n === context.startCount && isOwnRemoteForward(event.port, remoteForwardPorts);
  },
};

export const forwardRetryActions = {
  stopForForwardFailure: stepAction((step) => {
    const { context, event } = step;
    assertEvent(event, 'REMOTE_FORWARD_FAILED');
    step.stop('restart');
    step.set({ forwardFailures: context.forwardFailures + 1 });
    step.log(LOG_ERR, forwardFailedLog(event.port));
    step.decide(forwardFailedDecision(event.port));
  }),
};
