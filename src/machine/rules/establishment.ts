// D9: AUTOSSH_CONNECTTIME. With a connect time set and something that can show the session is
// up (a local forward's listening port, or ssh's "Authenticated to" line), each ssh is started
// `connecting`: the world is asked for that evidence, and an ssh that shows none within the
// connect time is restarted (a stuck connect, key exchange or authentication). Evidence cancels
// the deadline. 1.4g has no such rule: it takes a running ssh for up.
import { LOG_INFO } from '../config/log-levels.js';
import type { Config } from '../config/types.js';
import { notEstablishedDecision, notEstablishedLog, sessionEstablished } from '../messages.js';
import { assertEvent } from 'xstate';
import { stepAction, type GuardArgs, type Step } from '../step.js';

/** D9 is on for this run: a connect time, and something that can show the session is up. */
export function awaitsEstablishment(config: Config): boolean {
  return config.connectSeconds > 0 && (config.evidence.listenPorts.length > 0 || config.evidence.authLine);
}

/** At each start, with D9 on: ask the world for evidence that the session is up, and give it CONNECTTIME. */
export function awaitEstablishment(step: Step): void {
  const { config } = step.context;
  step.emit({ type: 'awaitEstablished', listenPorts: config.evidence.listenPorts, authLine: config.evidence.authLine });
  step.arm('connect', step.event.atMs + config.connectSeconds * 1000);
}

/** the session is shown up: by D9's evidence, or by a connection test that passed */
export function noteEstablished(step: Step): void {
  const { context, event } = step;
  if (!context.sessionShown) step.set({ sessionShown: true });
  if (context.timers.connect === undefined) return;
  step.cancel('connect');
  const afterMs = event.atMs - (context.lastStartMs ?? event.atMs);
  step.log(LOG_INFO, sessionEstablished(afterMs));
}

export const establishmentGuards = {
  awaitsEstablishment: ({ context }: GuardArgs) => awaitsEstablishment(context.config),
  /** news about the ssh running now, not one already gone (its start number is startCount) */
  isCurrentSsh: ({ context, event }: GuardArgs) => {
    assertEvent(event, ['SSH_ESTABLISHED', 'REMOTE_FORWARD_FAILED']);
    return event.n === context.startCount;
  },
};

export const establishmentActions = {
  noteEstablished: stepAction(noteEstablished),
  stopNotEstablished: stepAction((step) => {
    const seconds = step.context.config.connectSeconds;
    step.log(LOG_INFO, notEstablishedLog(seconds));
    step.decide(notEstablishedDecision(seconds));
    step.stop('restart');
  }),
};
