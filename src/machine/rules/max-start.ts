// AUTOSSH_MAXSTART (1.4g): once ssh has been started this many times, the top of the start loop
// exits 0 instead of starting it again. -1 (the default): no limit. Every attempt counts, also
// one that could not start ssh (spawn retry).
import { LOG_INFO } from '../config/log-levels.js';
import { MAX_START_DECISION, MAX_START_LOG } from '../messages.js';
import { stepAction, type GuardArgs } from '../step.js';

export const maxStartGuards = {
  maxStartReached: ({ context }: GuardArgs) => context.config.maxStart >= 0 && context.startCount >= context.config.maxStart,
};

export const maxStartActions = {
  exitAtMaxStart: stepAction((step) => {
    step.log(LOG_INFO, MAX_START_LOG);
    step.decide(MAX_START_DECISION);
    step.finish(0);
  }),
};
