// Stopping ssh: SIGTERM, then wait for it to go (the `stopping` state). D4: SIGKILL once
// AUTOSSH_KILLTIME has passed, or at once on a second SIGTERM/SIGINT (1.4g waits forever). What
// comes once it is gone is kept in `afterStop`; a signal to exit meanwhile makes it an exit.
import { LOG_ERR, LOG_INFO } from '../config/log-levels.js';
import { signalOf, type SignalEvent } from '../events.js';
import {
  RESTART_SIGNAL_DECISION, RESTART_SIGNAL_LOG, SECOND_EXIT_SIGNAL, SIGNALLED_TO_EXIT_LOG, receivedExitSignal, sendingSigkillLog,
  sigkillDecision, stillRunningAfterSigterm,
} from '../messages.js';
import { assign } from 'xstate';
import type { MachineContext } from '../context.js';
import type { MachineEvent } from '../events.js';
import { stepAction, type GuardArgs } from '../step.js';

export const stopGuards = {
  alreadySignalledToExit: ({ context }: GuardArgs) => context.afterStop === 'exitSignalled',
  stopWasForRestart: ({ context }: GuardArgs) => context.afterStop === 'restart',
};

export const stopActions = {
  stopForExit: stepAction((step) => {
    const signal = signalOf(step.event.type as SignalEvent);
    step.log(LOG_INFO, receivedExitSignal(signal));
    step.stop('exitSignalled');
  }),
  stopForRestart: stepAction((step) => {
    step.log(LOG_INFO, RESTART_SIGNAL_LOG);
    step.decide(RESTART_SIGNAL_DECISION);
    step.stop('restart');
  }),
  /** SIGKILL, once: after AUTOSSH_KILLTIME (KILL_DUE), or on a second signal to exit */
  escalateKill: stepAction((step) => {
    const { context, event } = step;
    if (context.killEscalated) return;
    const why = event.type === 'KILL_DUE' ? stillRunningAfterSigterm(context.config.killSeconds) : SECOND_EXIT_SIGNAL;
    step.set({ killEscalated: true });
    step.cancel('kill');
    step.log(LOG_ERR, sendingSigkillLog(why));
    step.decide(sigkillDecision(why));
    step.emit({ type: 'signalSsh', signal: 'SIGKILL' });
  }),
  noteExitSignal: assign<MachineContext, MachineEvent, undefined, MachineEvent, never>({ afterStop: 'exitSignalled' as const }),
  exitSignalled: stepAction((step) => {
    step.log(LOG_ERR, SIGNALLED_TO_EXIT_LOG);
    step.finish(1);
  }),
};
