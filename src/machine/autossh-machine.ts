// autossh's every decision, as one xstate machine. It reads like autossh(1):
//
//   ready ──START──▶ (top of the start loop) ──▶ backingOff ──▶ sshRunning (connecting | watching ⇄ probing) ──▶ killing
//                          ▲                                          │ SSH_EXITED                        │ ssh reaped
//                          └──────────────────── restart ─────────────┴───────────────────────────────────┘
//                                                                                           exited (final)
//
// The top of the start loop (give up, wait, or start ssh now) is one list of guarded
// transitions, `startLoopTop`, taken by every event that leads there: a transient state would
// cost two more microsteps per restart, and a year of restarts is what the simulator runs.
//
// It never touches I/O and never reads a clock: drivers send events stamped with their
// clock's time (src/machine/events.ts) and apply the emitted effects (src/machine/effects.ts).
// Timers are effects with absolute due times, kept in the context, so a restored snapshot can
// re-arm them; each falls due as its own event (BACKOFF_DUE, POLL_DUE, LIFETIME_DUE, KILL_DUE).
import { and, assertEvent, assign, emit, enqueueActions, setup } from 'xstate';
import type { Config } from './config/types.js';
import { LOG_DEBUG, LOG_ERR, LOG_INFO } from './config/log-levels.js';
import { classifyExit, type ExitVerdict } from './decisions/exit-classification.js';
import { forwardRetrySeconds, isOwnRemoteForward } from './decisions/forward-retry.js';
import { decideGrace, type GraceDecision } from './decisions/grace-time.js';
import { jitterMs } from './decisions/jitter.js';
import { describeSpawnFailure, isTransientSpawnFailure, spawnRetrySeconds } from './decisions/spawn-failure.js';
import { nextPollDueMs } from './decisions/poll-schedule.js';
import type { Effect } from './effects.js';
import { signalOf, type MachineEvent, type SignalEvent, type TimerName } from './events.js';
import { signalNumber } from './signals.js';

export interface MachineInput {
  config: Config;
}

/** Why the ssh being stopped is stopped: what to do once it has been reaped. */
export type AfterKill = 'restart' | 'exitAtLifetime' | 'exitSignalled';

export interface MachineContext {
  config: Config;
  lifetimeDeadlineMs: number | null;
  /** how many times ssh was started (1.4g's start_count) */
  startCount: number;
  /** when the latest ssh was started: its run time, and the fast-try count of the next start */
  lastStartMs: number | null;
  /**
   * the latest ssh's session was shown to be up in its own life: by D9's evidence, or by a
   * connection test that passed. True from its start when D9 is off for it (1.4g takes a running
   * ssh for up); "up" in src/driver/tunnel-state.ts reads it.
   */
  sessionShown: boolean;
  graceTries: number;
  graceSeconds: number;
  /** the wait before the next start, and the rule that set it */
  waitMs: number;
  waitRule: 'graceTime' | 'forwardRetry' | 'jitter' | 'spawnRetry';
  /** "remote port forwarding failed" in a row (D10): the short retry schedule's place */
  forwardFailures: number;
  /** starts in a row that failed for now (out of descriptors...): the spawn retry schedule's place */
  spawnFailures: number;
  /** the start number of the latest of them: the next start failing too makes the row longer */
  spawnFailedStart: number;
  probeSeq: number;
  /** once a signal to exit came, always 'exitSignalled': whatever else happens, the end is exit 1 */
  afterKill: AfterKill;
  /** SIGKILL already sent to the ssh being stopped */
  killEscalated: boolean;
  exitCode: number | null;
  /** armed timers and their due times (ms), so a restored snapshot can re-arm them */
  timers: Partial<Record<TimerName, number>>;
}

/** SIGTERM and SIGINT, as 1.4g; SIGQUIT and SIGABRT too (D6: 1.4g dies of them, ssh left running). */
const EXIT_SIGNALS = ['SIGNAL.TERM', 'SIGNAL.INT', 'SIGNAL.QUIT', 'SIGNAL.ABRT'] as const satisfies readonly SignalEvent[];
/** A second one of these while ssh is being stopped sends SIGKILL at once (D4). */
const INSISTING_SIGNALS = ['SIGNAL.TERM', 'SIGNAL.INT'] as const satisfies readonly SignalEvent[];
/** SIGHUP and SIGUSR1 end a backoff wait: the documented "prod" (D1). */
const PROD_SIGNALS = ['SIGNAL.HUP', 'SIGNAL.USR1'] as const satisfies readonly SignalEvent[];

/** The same transition for each of several events (xstate keys transitions by one event). */
function onEach<const E extends string, T>(events: readonly E[], transition: T): Record<E, T> {
  return Object.fromEntries(events.map((event) => [event, transition])) as Record<E, T>;
}

// An ssh exit is judged by up to three guards and one action in the same step: judge it once.
// The verdict is a pure function of the event and three numbers of the context; the last one
// is kept with what it was computed from (a WeakMap entry per exit would weigh on the GC).
let lastVerdict: { event: MachineEvent; startCount: number; lastStartMs: number | null; gateSeconds: number; verdict: ExitVerdict } | null = null;
function exitVerdictOf(context: MachineContext, event: MachineEvent): ExitVerdict {
  assertEvent(event, 'SSH_EXITED');
  const { startCount, lastStartMs } = context;
  const { gateSeconds } = context.config;
  const last = lastVerdict;
  if (last !== null && last.event === event && last.startCount === startCount && last.lastStartMs === lastStartMs && last.gateSeconds === gateSeconds) {
    return last.verdict;
  }
  const verdict = classifyExit(event.end, { startCount, gateSeconds, runMs: event.atMs - (lastStartMs ?? event.atMs) });
  lastVerdict = { event, startCount, lastStartMs, gateSeconds, verdict };
  return verdict;
}

function graceOf(context: MachineContext, atMs: number): GraceDecision {
  return decideGrace(context.graceTries, context.lastStartMs, atMs, context.config.pollSeconds);
}

/** D12's extra wait before the coming start (the next start's number is startCount + 1). */
function nextJitterMs(context: MachineContext): number {
  const { jitterSeed, jitterSeconds } = context.config;
  return jitterMs(jitterSeed, context.startCount + 1, jitterSeconds);
}

/** D9 is on for this run: a connect time, and something that can show the session is up. */
function awaitsEstablishment(config: Config): boolean {
  return config.connectSeconds > 0 && (config.evidence.listenPorts.length > 0 || config.evidence.authLine);
}

// Helpers used inside enqueueActions: they queue the context change and the effect together.
type Enqueue = {
  assign: (a: (args: { context: MachineContext }) => Partial<MachineContext>) => void;
  emit: (e: Effect) => void;
};
function queueLog(enqueue: Enqueue, level: number, message: string): void {
  enqueue.emit({ type: 'log', level, message });
}
function queueDecision(enqueue: Enqueue, rule: string, detail: string): void {
  enqueue.emit({ type: 'decision', rule, detail });
}
function queueArm(enqueue: Enqueue, timer: TimerName, dueMs: number): void {
  enqueue.assign(({ context }) => ({ timers: { ...context.timers, [timer]: dueMs } }));
  enqueue.emit({ type: 'armTimer', timer, dueMs });
}
function queueCancel(enqueue: Enqueue, context: MachineContext, timer: TimerName): void {
  if (context.timers[timer] === undefined) return;
  enqueue.assign(({ context }) => {
    const { [timer]: _dropped, ...rest } = context.timers;
    return { timers: rest };
  });
  enqueue.emit({ type: 'cancelTimer', timer });
}
function queueFinish(enqueue: Enqueue, context: MachineContext, code: number): void {
  for (const timer of Object.keys(context.timers) as TimerName[]) queueCancel(enqueue, context, timer);
  enqueue.assign(() => ({ exitCode: code }));
  enqueue.emit({ type: 'exit', code });
}
function queueStop(enqueue: Enqueue, context: MachineContext, atMs: number, afterKill: AfterKill): void {
  // any stop but a forward failure's ends a run of them (D10): stopForForwardFailure counts after this
  enqueue.assign(() => ({ afterKill, forwardFailures: 0 }));
  enqueue.emit({ type: 'signalSsh', signal: 'SIGTERM' });
  if (context.config.killSeconds > 0) queueArm(enqueue, 'kill', atMs + context.config.killSeconds * 1000);
}
function queueFirstPoll(enqueue: Enqueue, context: MachineContext, atMs: number): void {
  const { firstPollSeconds, pollSeconds } = context.config;
  const dueMs = nextPollDueMs(atMs, firstPollSeconds, pollSeconds, context.lifetimeDeadlineMs);
  if (dueMs !== null) queueArm(enqueue, 'poll', dueMs);
}
/** D9: ask the world for evidence that the session is up, and give it CONNECTTIME */
function queueAwaitEstablishment(enqueue: Enqueue, config: Config, atMs: number): void {
  enqueue.emit({ type: 'awaitEstablished', listenPorts: config.evidence.listenPorts, authLine: config.evidence.authLine });
  queueArm(enqueue, 'connect', atMs + config.connectSeconds * 1000);
}
/** AUTOSSH_MAXLIFETIME is up, said once whichever state it finds us in. */
function queueLifetimeReached(enqueue: Enqueue, detail: string): void {
  queueLog(enqueue, LOG_INFO, 'exceeded maximum time to live, shutting down');
  queueDecision(enqueue, 'maxLifetime', detail);
}

type StartLoopAction = 'begin' | 'judgeExit' | 'logSpawnFailure';
type StartGuard =
  | 'killWasForRestart' | 'netWatchOn' | 'maxStartReached' | 'lifetimeExceeded' | 'forwardRetryDue' | 'graceTimeDue' | 'jitterDue' | 'awaitsEstablishment';

/**
 * The top of 1.4g's start loop: give up, wait, or start ssh now, in this order of precedence.
 * `first` runs before whichever is taken; `when` narrows every branch (a stop for a restart).
 * `forwardRetry: false` where the event itself ends any forward-retry run (judgeExit), which the
 * guards, evaluated before the actions, would not see.
 */
function startLoopTop(first: StartLoopAction[], options: { when?: StartGuard; forwardRetry?: boolean } = {}) {
  const { when } = options;
  const guard = (rule: StartGuard) => (when ? and<MachineContext, MachineEvent, [StartGuard, StartGuard]>([when, rule]) : rule);
  const waiting = ['countTry' as const, 'planWait' as const];
  return [
    { guard: guard('maxStartReached'), target: '#autossh.exited', actions: [...first, 'exitAtMaxStart' as const] },
    {
      guard: guard('lifetimeExceeded'),
      target: '#autossh.exited',
      actions: [...first, { type: 'exitAtLifetime' as const, params: { detail: 'AUTOSSH_MAXLIFETIME reached: exit 0' } }],
    },
    ...(options.forwardRetry === false ? [] : [{ guard: guard('forwardRetryDue'), target: '#autossh.backingOff', actions: [...first, ...waiting] }]),
    { guard: guard('graceTimeDue'), target: '#autossh.backingOff', actions: [...first, ...waiting] },
    { guard: guard('jitterDue'), target: '#autossh.backingOff', actions: [...first, ...waiting] },
    ...startSshNow([...first, 'countTry' as const], when),
  ];
}

/** Start ssh: with D9 on, its session is awaited (connecting); otherwise it is watched at once. */
function startSshNow<A>(actions: A[], when?: StartGuard) {
  return [
    { guard: when ? and<MachineContext, MachineEvent, [StartGuard, 'awaitsEstablishment']>([when, 'awaitsEstablishment']) : ('awaitsEstablishment' as const), target: '#autossh.sshRunning.connecting', reenter: true, actions },
    { ...(when ? { guard: when } : {}), target: '#autossh.sshRunning.watching', reenter: true, actions },
  ];
}

/**
 * ssh could not be started for now: give up or wait as the top of the start loop would (MAXSTART
 * counts every attempt; the lifetime holds), then wait on the spawn retry schedule.
 */
function retrySpawn() {
  const when = (rule: 'maxStartReached' | 'lifetimeExceeded') => and<MachineContext, MachineEvent, ['spawnFailureTransient', typeof rule]>(['spawnFailureTransient', rule]);
  return [
    { guard: when('maxStartReached'), target: '#autossh.exited', actions: ['logSpawnFailure' as const, 'exitAtMaxStart' as const] },
    {
      guard: when('lifetimeExceeded'),
      target: '#autossh.exited',
      actions: ['logSpawnFailure' as const, { type: 'exitAtLifetime' as const, params: { detail: 'AUTOSSH_MAXLIFETIME reached: exit 0' } }],
    },
    { guard: 'spawnFailureTransient' as const, target: '#autossh.backingOff', actions: 'planSpawnRetry' as const },
  ];
}

// Once the ssh being stopped is gone, what comes next depends on why it was stopped.
function sshGoneWhileKilling(...first: Array<'logSpawnFailure'>) {
  return [
    ...startLoopTop(first, { when: 'killWasForRestart' }),
    { guard: 'killWasForLifetime' as const, target: 'exited', actions: [...first, { type: 'finish' as const, params: { code: 0 } }] },
    { target: 'exited', actions: [...first, 'exitSignalled' as const] },
  ];
}

export const autosshMachine = setup({
  types: {
    context: {} as MachineContext,
    events: {} as MachineEvent,
    input: {} as MachineInput,
    emitted: {} as Effect,
  },
  guards: {
    // --- the top of the start loop ---
    maxStartReached: ({ context }) => context.config.maxStart >= 0 && context.startCount >= context.config.maxStart,
    lifetimeExceeded: ({ context, event }) => context.lifetimeDeadlineMs !== null && event.atMs >= context.lifetimeDeadlineMs,
    forwardRetryDue: ({ context }) => context.forwardFailures > 0,
    graceTimeDue: ({ context, event }) => graceOf(context, event.atMs).graceSeconds > 0,
    jitterDue: ({ context }) => nextJitterMs(context) > 0,
    awaitsEstablishment: ({ context }) => awaitsEstablishment(context.config),
    /** news about the ssh running now, not one already gone (its start number is startCount) */
    isCurrentSsh: ({ context, event }) => {
      assertEvent(event, ['SSH_ESTABLISHED', 'REMOTE_FORWARD_FAILED']);
      return event.n === context.startCount;
    },
    currentSshForwardFailed: ({ context, event }) => {
      assertEvent(event, 'REMOTE_FORWARD_FAILED');
      const { forwardCheck, remoteForwardPorts } = context.config;
      return forwardCheck && event.n === context.startCount && isOwnRemoteForward(event.port, remoteForwardPorts);
    },
    netWatchOn: ({ context }) => context.config.netWatch,
    /** ssh could not be started for now (decisions/spawn-failure.ts): retried, not D7 */
    spawnFailureTransient: ({ event }) => {
      assertEvent(event, 'SSH_SPAWN_FAILED');
      return isTransientSpawnFailure(event.errno);
    },
    netWatchWithJitter: ({ context }) => context.config.netWatch && context.config.jitterSeconds > 0,
    // --- signals ---
    monitoringOn: ({ context }) => context.config.monitor !== null,
    alreadySignalledToExit: ({ context }) => context.afterKill === 'exitSignalled',
    // --- ssh exits ---
    exitMeansSuccess: ({ context, event }) => exitVerdictOf(context, event).action === 'exitOk',
    exitMeansGivingUp: ({ context, event }) => exitVerdictOf(context, event).action === 'exitError',
    // --- connection tests: a late result of a test already given up on is ignored ---
    isCurrentProbe: ({ context, event }) => {
      assertEvent(event, ['PROBE_PASSED', 'PROBE_FAILED']);
      return event.probeId === context.probeSeq;
    },
    // --- stopping ssh ---
    killWasForRestart: ({ context }) => context.afterKill === 'restart',
    killWasForLifetime: ({ context }) => context.afterKill === 'exitAtLifetime',
  },
  actions: {
    log: emit((_, params: { level: number; message: string }) => ({ type: 'log' as const, ...params })),
    decide: emit((_, params: { rule: string; detail: string }) => ({ type: 'decision' as const, ...params })),
    logSpawnFailure: emit(({ context, event }) => {
      assertEvent(event, 'SSH_SPAWN_FAILED');
      return { type: 'log' as const, level: LOG_ERR, message: `${context.config.sshPath}: ${describeSpawnFailure(event.errno ?? '', event.error)}` };
    }),

    cancelTimers: enqueueActions(({ enqueue, context }, params: { timers: TimerName[] }) => {
      for (const timer of params.timers) queueCancel(enqueue, context, timer);
    }),

    /** autossh starts: the lifetime counts from here (1.4g: pid_start_time) */
    begin: enqueueActions(({ enqueue, context, event }) => {
      const { maxLifetimeSeconds } = context.config;
      const lifetimeDeadlineMs = maxLifetimeSeconds > 0 ? event.atMs + maxLifetimeSeconds * 1000 : null;
      enqueue.assign({ lifetimeDeadlineMs });
      if (lifetimeDeadlineMs !== null) queueArm(enqueue, 'lifetime', lifetimeDeadlineMs);
    }),

    /** 1.4g's grace_time: count fast tries, decide how long to wait before this start */
    countTry: assign(({ context, event }) => {
      const grace = graceOf(context, event.atMs);
      return { graceTries: grace.tries, graceSeconds: grace.graceSeconds };
    }),
    /** the wait before the coming start: the forward-retry schedule (D10), else grace time, plus jitter (D12) */
    planWait: assign(({ context }) => {
      const extraMs = nextJitterMs(context);
      if (context.forwardFailures > 0) {
        return { waitMs: forwardRetrySeconds(context.forwardFailures) * 1000 + extraMs, waitRule: 'forwardRetry' as const };
      }
      return { waitMs: context.graceSeconds * 1000 + extraMs, waitRule: context.graceSeconds > 0 ? 'graceTime' as const : 'jitter' as const };
    }),
    /** a start that failed for now: wait 1, 2, 4 ... s (at most POLL, plus any jitter), then start again */
    planSpawnRetry: enqueueActions(({ enqueue, context, event }) => {
      assertEvent(event, 'SSH_SPAWN_FAILED');
      // every attempt is a start of its own: the row goes on when the previous start failed too
      const failures = context.spawnFailedStart === context.startCount - 1 ? context.spawnFailures + 1 : 1;
      const seconds = spawnRetrySeconds(failures, context.config.pollSeconds);
      const cause = describeSpawnFailure(event.errno ?? '', event.error);
      enqueue.assign({ spawnFailures: failures, spawnFailedStart: context.startCount, waitMs: seconds * 1000 + nextJitterMs(context), waitRule: 'spawnRetry' });
      queueLog(enqueue, LOG_ERR, `cannot start ssh: ${cause}: retrying in ${seconds} s`);
      queueDecision(enqueue, 'spawnRetry', `ssh could not be started (${cause}), ${failures} time(s) in a row: retry in ${seconds} s`);
    }),
    armBackoff: enqueueActions(({ enqueue, context, event }) => {
      const extraMs = nextJitterMs(context);
      const spread = extraMs > 0 ? ` and ${extraMs} ms of AUTOSSH_JITTER` : '';
      switch (context.waitRule) {
        case 'graceTime':
          queueLog(enqueue, LOG_DEBUG, `sleeping for grace time ${context.graceSeconds} secs`);
          queueDecision(enqueue, 'graceTime', `${context.graceTries} fast tries in a row: wait ${context.graceSeconds} s${spread} before the next start`);
          break;
        case 'forwardRetry': {
          const seconds = forwardRetrySeconds(context.forwardFailures);
          queueLog(enqueue, LOG_INFO, `retrying the remote forward in ${seconds} s`);
          queueDecision(enqueue, 'forwardRetry', `remote forward failed ${context.forwardFailures} time(s) in a row: retry in ${seconds} s${spread} (D10)`);
          break;
        }
        case 'jitter':
          queueLog(enqueue, LOG_DEBUG, `waiting ${extraMs} ms (AUTOSSH_JITTER) before restarting ssh`);
          queueDecision(enqueue, 'jitter', `restarts spread by AUTOSSH_JITTER: wait ${extraMs} ms (D12)`);
          break;
        case 'spawnRetry':
          break; // said by planSpawnRetry, with its cause
      }
      queueArm(enqueue, 'backoff', event.atMs + context.waitMs);
      if (context.config.netWatch) enqueue.emit({ type: 'watchNetwork' });
    }),
    endBackoff: enqueueActions(({ enqueue, context }) => {
      queueCancel(enqueue, context, 'backoff');
      if (context.config.netWatch) enqueue.emit({ type: 'unwatchNetwork' });
    }),
    /** D11: the network came back: start now, or (with jitter) after this start's jitter only */
    startOnNetworkChange: enqueueActions(({ enqueue, event }) => {
      assertEvent(event, 'NETWORK_CHANGED');
      queueLog(enqueue, LOG_INFO, `network changed (${event.detail}): starting ssh now`);
      queueDecision(enqueue, 'networkChanged', `${event.detail}: the backoff wait ends (D11)`);
    }),
    shortenWaitToJitter: enqueueActions(({ enqueue, context, event }) => {
      assertEvent(event, 'NETWORK_CHANGED');
      const dueMs = event.atMs + nextJitterMs(context);
      queueLog(enqueue, LOG_INFO, `network changed (${event.detail}): starting ssh after its jitter`);
      queueDecision(enqueue, 'networkChanged', `${event.detail}: the backoff wait shrinks to the jitter (D11, D12)`);
      if ((context.timers.backoff ?? Infinity) > dueMs) queueArm(enqueue, 'backoff', dueMs);
    }),

    /** start ssh; with monitoring, arm its first connection test; with D9, await its session */
    startSsh: enqueueActions(({ enqueue, context, event }) => {
      const n = context.startCount + 1;
      const { config } = context;
      enqueue.assign({ startCount: n, lastStartMs: event.atMs, killEscalated: false, sessionShown: !awaitsEstablishment(config) });
      const counted = config.maxStart < 0 ? `count ${n}` : `count ${n} of ${config.maxStart}`;
      queueLog(enqueue, LOG_INFO, `starting ssh (${counted})`);
      enqueue.emit({ type: 'spawnSsh', n, argv: config.sshArgv });
      if (config.monitor) queueFirstPoll(enqueue, context, event.atMs);
      if (awaitsEstablishment(config)) queueAwaitEstablishment(enqueue, config, event.atMs);
    }),
    armNextPoll: enqueueActions(({ enqueue, context, event }) => {
      const { pollSeconds } = context.config;
      const dueMs = nextPollDueMs(event.atMs, pollSeconds, pollSeconds, context.lifetimeDeadlineMs);
      if (dueMs !== null) queueArm(enqueue, 'poll', dueMs);
    }),
    noteEstablished: enqueueActions(({ enqueue, context, event }) => {
      if (!context.sessionShown) enqueue.assign({ sessionShown: true });
      if (context.timers.connect === undefined) return;
      queueCancel(enqueue, context, 'connect');
      const afterMs = event.atMs - (context.lastStartMs ?? event.atMs);
      queueLog(enqueue, LOG_INFO, `ssh session established after ${(afterMs / 1000).toFixed(1)} s`);
    }),
    runProbe: enqueueActions(({ enqueue, context }) => {
      const probeId = context.probeSeq + 1;
      const { monitor, netTimeoutMs, message } = context.config;
      if (!monitor) throw new Error('invariant: a connection test with monitoring off (-M 0)');
      enqueue.assign({ probeSeq: probeId });
      queueCancel(enqueue, context, 'poll');
      enqueue.emit({ type: 'runProbe', probeId, monitor, netTimeoutMs, message });
    }),
    cancelProbe: emit(({ context }) => ({ type: 'cancelProbe' as const, probeId: context.probeSeq })),
    restartAfterFailedProbe: enqueueActions(({ enqueue, context, event }) => {
      assertEvent(event, 'PROBE_FAILED');
      queueLog(enqueue, LOG_INFO, 'port down, restarting ssh');
      queueDecision(enqueue, 'connectionTestFailed', `connection test failed (${event.reason}): restart ssh`);
      queueStop(enqueue, context, event.atMs, 'restart');
    }),

    /** log what an ssh exit means, by 1.4g's rules */
    judgeExit: enqueueActions(({ enqueue, context, event }) => {
      const verdict = exitVerdictOf(context, event);
      // an ssh that ended on its own, not by a forward failure, closes any forward-retry run
      if (context.forwardFailures > 0) enqueue.assign({ forwardFailures: 0 });
      queueLog(enqueue, verdict.action === 'restart' ? LOG_INFO : LOG_ERR, verdict.message);
      queueDecision(enqueue, verdict.rule, verdict.message);
    }),

    stopForExit: enqueueActions(({ enqueue, context, event }) => {
      assertEvent(event, [...EXIT_SIGNALS]);
      const signal = signalOf(event.type);
      queueLog(enqueue, LOG_INFO, `received signal to exit (${signalNumber(signal)})`);
      queueStop(enqueue, context, event.atMs, 'exitSignalled');
    }),
    stopForRestart: enqueueActions(({ enqueue, context, event }) => {
      queueLog(enqueue, LOG_INFO, 'signalled to kill and restart ssh');
      queueDecision(enqueue, 'restartSignal', 'SIGUSR1: kill and restart ssh');
      queueStop(enqueue, context, event.atMs, 'restart');
    }),
    stopNotEstablished: enqueueActions(({ enqueue, context, event }) => {
      const seconds = context.config.connectSeconds;
      queueLog(enqueue, LOG_INFO, `ssh session not established ${seconds} s after its start; restarting ssh`);
      queueDecision(enqueue, 'connectTimeExceeded', `no sign of an established session within AUTOSSH_CONNECTTIME=${seconds} s: restart ssh (D9)`);
      queueStop(enqueue, context, event.atMs, 'restart');
    }),
    stopForForwardFailure: enqueueActions(({ enqueue, context, event }) => {
      assertEvent(event, 'REMOTE_FORWARD_FAILED');
      queueStop(enqueue, context, event.atMs, 'restart');
      enqueue.assign({ forwardFailures: context.forwardFailures + 1 });
      queueLog(
        enqueue,
        LOG_ERR,
        `remote port forwarding failed for listen port ${event.port}: the server still holds it for an old session; ` +
          'set ClientAliveInterval and ClientAliveCountMax in its sshd_config so it lets go sooner; restarting ssh',
      );
      queueDecision(enqueue, 'remoteForwardFailed', `the server refused -R port ${event.port} (a stale listener): restart ssh on the short retry schedule (D10)`);
    }),
    stopAtLifetime: enqueueActions(({ enqueue, context, event }) => {
      queueLifetimeReached(enqueue, 'AUTOSSH_MAXLIFETIME reached: stop ssh, exit 0');
      queueStop(enqueue, context, event.atMs, 'exitAtLifetime');
    }),
    escalateKill: enqueueActions(({ enqueue, context }, params: { why: string }) => {
      if (context.killEscalated) return;
      enqueue.assign({ killEscalated: true });
      queueCancel(enqueue, context, 'kill');
      queueLog(enqueue, LOG_ERR, `${params.why}; sending SIGKILL`);
      queueDecision(enqueue, 'killTime', params.why);
      enqueue.emit({ type: 'signalSsh', signal: 'SIGKILL' });
    }),
    noteExitSignal: assign({ afterKill: 'exitSignalled' as const }),

    // --- the ends: each said once, whichever state reaches it ---
    finish: enqueueActions(({ enqueue, context }, params: { code: number }) => queueFinish(enqueue, context, params.code)),
    exitAtLifetime: enqueueActions(({ enqueue, context }, params: { detail: string }) => {
      queueLifetimeReached(enqueue, params.detail);
      queueFinish(enqueue, context, 0);
    }),
    exitAtMaxStart: enqueueActions(({ enqueue, context }) => {
      queueLog(enqueue, LOG_INFO, 'max start count reached; exiting');
      queueDecision(enqueue, 'maxStart', 'AUTOSSH_MAXSTART starts used up: exit 0');
      queueFinish(enqueue, context, 0);
    }),
    exitSignalled: enqueueActions(({ enqueue, context }) => {
      queueLog(enqueue, LOG_ERR, 'signalled to exit');
      queueFinish(enqueue, context, 1);
    }),
  },
}).createMachine({
  id: 'autossh',
  context: ({ input }) => ({
    config: input.config,
    lifetimeDeadlineMs: null,
    startCount: 0,
    lastStartMs: null,
    sessionShown: false,
    graceTries: 0,
    graceSeconds: 0,
    waitMs: 0,
    waitRule: 'graceTime',
    forwardFailures: 0,
    spawnFailures: 0,
    spawnFailedStart: -1,
    probeSeq: 0,
    afterKill: 'restart',
    killEscalated: false,
    exitCode: null,
    timers: {},
  }),
  initial: 'ready',
  states: {
    // Start-up (the listener, the pid file) is the driver's; a signal to exit meanwhile ends it.
    ready: {
      on: {
        START: startLoopTop(['begin']),
        ...onEach(EXIT_SIGNALS, { target: 'exited', actions: 'exitSignalled' }),
      },
    },

    // Too many fast failures: wait before the next start. 1.4g sleeps here with no handler
    // for HUP/USR1 (they kill it); we take them as "start now" (D1), and so is the network
    // coming back (D11). SIGUSR2 is ignored.
    backingOff: {
      entry: 'armBackoff',
      exit: 'endBackoff',
      on: {
        BACKOFF_DUE: startSshNow([]),
        NETWORK_CHANGED: [
          { guard: 'netWatchWithJitter', actions: 'shortenWaitToJitter' },
          ...startSshNow(['startOnNetworkChange' as const], 'netWatchOn'),
        ],
        // D5: 1.4g would start ssh later with a negative alarm and never stop it
        LIFETIME_DUE: {
          target: 'exited',
          actions: { type: 'exitAtLifetime', params: { detail: 'lifetime reached while waiting: exit 0' } },
        },
        ...onEach(EXIT_SIGNALS, { target: 'exited', actions: 'exitSignalled' }),
        ...onEach(PROD_SIGNALS, startSshNow([
          { type: 'log' as const, params: { level: LOG_INFO, message: 'signalled to start ssh now' } },
          { type: 'decide' as const, params: { rule: 'prodDuringBackoff', detail: 'SIGHUP/SIGUSR1 ends the wait (D1)' } },
        ])),
      },
    },

    sshRunning: {
      entry: 'startSsh',
      exit: { type: 'cancelTimers', params: { timers: ['poll', 'connect'] } },
      // every way in names its child (startSshNow): connecting or watching
      initial: 'watching',
      on: {
        SSH_EXITED: [
          { guard: 'exitMeansSuccess', target: 'exited', actions: ['judgeExit', { type: 'finish', params: { code: 0 } }] },
          { guard: 'exitMeansGivingUp', target: 'exited', actions: ['judgeExit', { type: 'finish', params: { code: 1 } }] },
          // judgeExit ends any forward-retry run: an ssh that ended on its own
          ...startLoopTop(['judgeExit'], { forwardRetry: false }),
        ],
        SSH_SPAWN_FAILED: [
          // out of descriptors, processes or memory: the same start works a moment later
          ...retrySpawn(),
          // D7: 1.4g's child SIGTERMs its parent; we say what failed.
          { target: 'exited', actions: ['logSpawnFailure', { type: 'finish', params: { code: 1 } }] },
        ],
        ...onEach(EXIT_SIGNALS, { target: 'killing', actions: 'stopForExit' }),
        'SIGNAL.USR1': { target: 'killing', actions: 'stopForRestart' },
        LIFETIME_DUE: { target: 'killing', actions: 'stopAtLifetime' },
        // D9: no sign of a session within AUTOSSH_CONNECTTIME (a stuck connect, kex or auth)
        CONNECT_DUE: { target: 'killing', actions: 'stopNotEstablished' },
        // D10: the server still holds our -R port for an old session
        REMOTE_FORWARD_FAILED: { guard: 'currentSshForwardFailed', target: 'killing', actions: 'stopForForwardFailure' },
        SSH_ESTABLISHED: { guard: 'isCurrentSsh', actions: 'noteEstablished' },
        POLL_DUE: { target: '.probing' },
        // D2: 1.4g ignores SIGHUP here; we test the connection now (-M 0: nothing to test)
        'SIGNAL.HUP': {
          guard: 'monitoringOn',
          target: '.probing',
          actions: { type: 'decide', params: { rule: 'hangupTestsNow', detail: 'SIGHUP: test the connection now (D2)' } },
        },
        // SIGUSR2 is ignored.
      },
      states: {
        // ssh runs; with D9 on, its session is not yet known to be up
        connecting: {
          on: { SSH_ESTABLISHED: { guard: 'isCurrentSsh', target: 'watching', actions: 'noteEstablished' } },
        },
        watching: {},
        // One connection test in flight. Signals and an ssh exit do not disturb it (D3).
        probing: {
          entry: 'runProbe',
          exit: 'cancelProbe',
          on: {
            'SIGNAL.HUP': {}, // absorbed by the test in flight (D2, D3)
            // a test that passed went through the session: it is up
            PROBE_PASSED: { guard: 'isCurrentProbe', target: 'watching', actions: ['armNextPoll', 'noteEstablished'] },
            PROBE_FAILED: { guard: 'isCurrentProbe', target: '#autossh.killing', actions: 'restartAfterFailedProbe' },
          },
        },
      },
    },

    // SIGTERM sent; wait for ssh to go. D4: SIGKILL after AUTOSSH_KILLTIME, or at once on a
    // second SIGTERM/SIGINT (1.4g waits forever).
    killing: {
      exit: { type: 'cancelTimers', params: { timers: ['kill'] } },
      on: {
        SSH_EXITED: sshGoneWhileKilling(),
        // the ssh we were stopping never started (a signal came before its failure to start):
        // it is gone all the same
        SSH_SPAWN_FAILED: sshGoneWhileKilling('logSpawnFailure'),
        KILL_DUE: {
          actions: {
            type: 'escalateKill',
            params: ({ context }) => ({ why: `ssh still running ${context.config.killSeconds} s after SIGTERM` }),
          },
        },
        ...onEach(INSISTING_SIGNALS, [
          {
            guard: 'alreadySignalledToExit',
            actions: { type: 'escalateKill', params: { why: 'second signal to exit while ssh is stopping' } },
          },
          { actions: 'noteExitSignal' },
        ]),
        'SIGNAL.QUIT': { actions: 'noteExitSignal' },
        'SIGNAL.ABRT': { actions: 'noteExitSignal' },
      },
    },

    exited: { type: 'final' },
  },
  output: ({ context }) => ({ code: context.exitCode ?? 1 }),
});

export type AutosshMachine = typeof autosshMachine;
