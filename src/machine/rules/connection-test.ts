// 1.4g's -M: a connection test every POLL seconds (the first after FIRST_POLL), through the
// forwarded monitor ports or an echo port; one that fails restarts ssh. One test at a time; a
// late result of a test given up on is ignored. D2: SIGHUP tests at once (see the machine).
import { assertEvent } from 'xstate';
import { LOG_INFO } from '../config/log-levels.js';
import { nextPollDueMs } from '../decisions/poll-schedule.js';
import { TEST_FAILED_LOG, testFailedDecision } from '../messages.js';
import { effectAction, stepAction, type GuardArgs, type Step } from '../step.js';
import { noteEstablished } from './establishment.js';

/** at each start, with monitoring on: the first test after FIRST_POLL */
export function armFirstPoll(step: Step): void {
  const { context, event } = step;
  const { firstPollSeconds, pollSeconds } = context.config;
  const dueMs = nextPollDueMs(event.atMs, firstPollSeconds, pollSeconds, context.lifetimeDeadlineMs);
  if (dueMs !== null) step.arm('poll', dueMs);
}

export const connectionTestGuards = {
  monitoringOn: ({ context }: GuardArgs) => context.config.monitor !== null,
  isCurrentTest: ({ context, event }: GuardArgs) => {
    assertEvent(event, ['PROBE_PASSED', 'PROBE_FAILED']);
    return event.probeId === context.probeSeq;
  },
};

export const connectionTestActions = {
  /** the next test after POLL; and a test that passed went through the session: it is up (D9) */
  testPassed: stepAction((step) => {
    const { context, event } = step;
    const { pollSeconds } = context.config;
    const dueMs = nextPollDueMs(event.atMs, pollSeconds, pollSeconds, context.lifetimeDeadlineMs);
    if (dueMs !== null) step.arm('poll', dueMs);
    noteEstablished(step);
  }),
  /** a connection test, traced as the runProbe effect */
  startTest: stepAction((step) => {
    const { context } = step;
    const probeId = context.probeSeq + 1;
    const { monitor, netTimeoutMs, testMessage } = context.config;
    if (!monitor) throw new Error('invariant: a connection test with monitoring off (-M 0)');
    step.set({ probeSeq: probeId });
    step.cancel('poll');
    step.emit({ type: 'runProbe', probeId, monitor, netTimeoutMs, testMessage });
  }),
  cancelTest: effectAction(({ context }) => ({ type: 'cancelProbe', probeId: context.probeSeq })),
  restartAfterFailedTest: stepAction((step) => {
    const { event } = step;
    assertEvent(event, 'PROBE_FAILED');
    step.log(LOG_INFO, TEST_FAILED_LOG);
    step.decide(testFailedDecision(event.reason));
    step.stop('restart');
  }),
};
