// The wait before a start (decisions/plan-wait.ts decides it: forward retry, else grace time,
// plus jitter). At the top of the start loop `waitDue` asks the plan whether to wait; the
// transition into backingOff plans it again, keeps it in the context and says why; backingOff's
// entry arms it. `countTry` keeps 1.4g's fast-try count when ssh starts at once.
import { LOG_DEBUG, LOG_INFO } from '../config/log-levels.js';
import type { MachineContext } from '../context.js';
import { decideGrace } from '../decisions/grace-time.js';
import { planWait, type WaitPlan } from '../decisions/plan-wait.js';
import {
  forwardRetryDecision, forwardRetryLog, graceTimeDecision, graceTimeLog, jitterDecision, jitterLog,
} from '../messages.js';
import { stepAction, type GuardArgs } from '../step.js';
import { unwatchNetwork, watchNetwork } from './network-watch.js';

/**
 * The plan for a start at `nowMs`. `forwardFailures`: the D10 run the start retries; an ssh
 * that exited on its own has ended it (rules/forward-retry.ts), though the guards, which xstate
 * evaluates before any action of the step, still see the count.
 */
function planOf(context: MachineContext, nowMs: number, forwardFailures: number): WaitPlan {
  const { pollSeconds, jitterSeed, jitterSeconds } = context.config;
  return planWait({
    forwardFailures, graceTries: context.graceTries, lastStartMs: context.lastStartMs, nowMs, pollSeconds,
    startNumber: context.startCount + 1, jitterSeed, jitterSeconds,
  });
}

/** `ownExit`: the step is an ssh's own exit, which ends any forward-retry run (D10) */
type WaitDueParams = { ownExit: boolean } | undefined;

export const waitGuards = {
  waitDue: ({ context, event }: GuardArgs, params: WaitDueParams) =>
    planOf(context, event.atMs, params?.ownExit ? 0 : context.forwardFailures).waitMs > 0,
};

export const waitActions = {
  /** 1.4g's grace_time count, for a start made at once */
  countTry: stepAction((step) => {
    const { context, event } = step;
    const grace = decideGrace(context.graceTries, context.lastStartMs, event.atMs, context.config.pollSeconds);
    // mostly 0 and 0 again (ssh ran long enough): no context copy for that
    if (grace.tries !== context.graceTries || grace.graceSeconds !== context.graceSeconds) {
      step.set({ graceTries: grace.tries, graceSeconds: grace.graceSeconds });
    }
  }),
  /** the wait before the coming start: kept, and said with the rule that set it */
  planBackoff: stepAction((step) => {
    const { context } = step;
    const plan = planOf(context, step.event.atMs, context.forwardFailures);
    step.set({ graceTries: plan.graceTries, graceSeconds: plan.graceSeconds, waitMs: plan.waitMs, waitRule: plan.rule ?? 'jitter' });
    switch (plan.rule) {
      case 'forwardRetry':
        step.log(LOG_INFO, forwardRetryLog(plan.forwardRetrySeconds));
        step.decide(forwardRetryDecision(context.forwardFailures, plan.forwardRetrySeconds, plan.jitterMs));
        break;
      case 'graceTime':
        step.log(LOG_DEBUG, graceTimeLog(plan.graceSeconds));
        step.decide(graceTimeDecision(plan.graceTries, plan.graceSeconds, plan.jitterMs));
        break;
      case 'jitter':
        step.log(LOG_DEBUG, jitterLog(plan.jitterMs));
        step.decide(jitterDecision(plan.jitterMs));
        break;
      case null:
        break; // not reached: waitDue let no plan without a wait through
    }
  }),
  /** backingOff's entry: the wait planned on the way in (planBackoff, or planSpawnRetry) */
  armBackoff: stepAction((step) => {
    step.arm('backoff', step.event.atMs + step.context.waitMs);
    watchNetwork(step);
  }),
  endBackoff: stepAction((step) => {
    step.cancel('backoff');
    unwatchNetwork(step);
  }),
};
