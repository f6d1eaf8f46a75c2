// ssh could not be started (decisions/spawn-failure.ts). For now (out of descriptors, processes
// or memory): give up or wait as the top of the start loop would, then start again after 1, 2,
// 4 ... s (at most POLL, plus any jitter). For good (D7): say what failed and exit 1; 1.4g's
// child SIGTERMs its parent instead.
import { assertEvent } from 'xstate';
import { LOG_ERR } from '../config/log-levels.js';
import { jitterMs } from '../decisions/jitter.js';
import { describeSpawnFailure, isTransientSpawnFailure, spawnRetrySeconds } from '../decisions/spawn-failure.js';
import { spawnFailed, spawnRetryDecision, spawnRetryLog } from '../messages.js';
import { effectAction, stepAction, type GuardArgs } from '../step.js';

export const spawnRetryGuards = {
  spawnFailureTransient: ({ event }: GuardArgs) => {
    assertEvent(event, 'SSH_SPAWN_FAILED');
    return isTransientSpawnFailure(event.errno);
  },
};

export const spawnRetryActions = {
  logSpawnFailure: effectAction(({ context, event }) => {
    assertEvent(event, 'SSH_SPAWN_FAILED');
    return { type: 'log', level: LOG_ERR, message: spawnFailed(context.config.sshPath, describeSpawnFailure(event.errno ?? '', event.error)) };
  }),
  planSpawnRetry: stepAction((step) => {
    const { context, event } = step;
    assertEvent(event, 'SSH_SPAWN_FAILED');
    // every attempt is a start of its own: the row goes on when the previous start failed too
    const failures = context.spawnFailedStart === context.startCount - 1 ? context.spawnFailures + 1 : 1;
    const seconds = spawnRetrySeconds(failures, context.config.pollSeconds);
    const cause = describeSpawnFailure(event.errno ?? '', event.error);
    const { jitterSeed, jitterSeconds } = context.config;
    const waitMs = seconds * 1000 + jitterMs(jitterSeed, context.startCount + 1, jitterSeconds);
    step.set({ spawnFailures: failures, spawnFailedStart: context.startCount, waitMs, waitRule: 'spawnRetry' });
    step.log(LOG_ERR, spawnRetryLog(cause, seconds));
    step.decide(spawnRetryDecision(cause, failures, seconds));
  }),
};
