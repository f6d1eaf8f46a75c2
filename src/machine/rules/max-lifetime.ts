// AUTOSSH_MAXLIFETIME (1.4g): the run ends, exit 0, this many seconds after autossh started.
// Counted from START (1.4g's pid_start_time); its timer falls due as LIFETIME_DUE. Checked too at
// the top of the start loop, and a running ssh is stopped first. D5: in a backoff wait it ends
// the wait (1.4g would start ssh later with a negative alarm and never stop it).
import { LOG_INFO } from '../config/log-levels.js';
import {
  LIFETIME_AT_START_DECISION, LIFETIME_STOP_DECISION, LIFETIME_WHILE_WAITING_DECISION, MAX_LIFETIME_LOG,
} from '../messages.js';
import { stepAction, type GuardArgs } from '../step.js';

export const maxLifetimeGuards = {
  lifetimeExceeded: ({ context, event }: GuardArgs) => context.lifetimeDeadlineMs !== null && event.atMs >= context.lifetimeDeadlineMs,
  /** the ssh just gone was stopped because the lifetime was up */
  stopWasForLifetime: ({ context }: GuardArgs) => context.afterStop === 'exitAtLifetime',
};

export const maxLifetimeActions = {
  /** autossh starts: the lifetime counts from here */
  begin: stepAction((step) => {
    const { maxLifetimeSeconds } = step.context.config;
    const lifetimeDeadlineMs = maxLifetimeSeconds > 0 ? step.event.atMs + maxLifetimeSeconds * 1000 : null;
    step.set({ lifetimeDeadlineMs });
    if (lifetimeDeadlineMs !== null) step.arm('lifetime', lifetimeDeadlineMs);
  }),
  stopAtLifetime: stepAction((step) => {
    step.log(LOG_INFO, MAX_LIFETIME_LOG);
    step.decide(LIFETIME_STOP_DECISION);
    step.stop('exitAtLifetime');
  }),
  /** no ssh running: exit now, found at the top of the start loop or by the timer during a wait */
  exitAtLifetime: stepAction((step) => {
    step.log(LOG_INFO, MAX_LIFETIME_LOG);
    step.decide(step.event.type === 'LIFETIME_DUE' ? LIFETIME_WHILE_WAITING_DECISION : LIFETIME_AT_START_DECISION);
    step.finish(0);
  }),
};
