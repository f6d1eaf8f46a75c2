// autossh's every decision, as one xstate machine. It reads like autossh(1):
//
//   starting ──START──▶ (top of the start loop) ──▶ backingOff ──▶ sshRunning (connecting | up ⇄ testing) ──▶ stopping
//                          ▲                                          │ SSH_EXITED                        │ ssh reaped
//                          └──────────────────── restart ─────────────┴───────────────────────────────────┘
//                                                                                           exited (final)
//
// Each rule has one file; the machine composes their guards and actions:
//   the wait before a start (forward retry, grace time, jitter)  rules/wait.ts, decisions/plan-wait.ts
//   AUTOSSH_MAXSTART                                             rules/max-start.ts
//   AUTOSSH_MAXLIFETIME                                          rules/max-lifetime.ts
//   D9  AUTOSSH_CONNECTTIME (establishment)                      rules/establishment.ts
//   D10 remote forward retry                                     rules/forward-retry.ts
//   D11 AUTOSSH_NETWATCH                                         rules/network-watch.ts
//   connection tests (-M, POLL), D2                              rules/connection-test.ts
//   stopping ssh, D4 AUTOSSH_KILLTIME                            rules/stop.ts
//   ssh could not be started (spawn retry, D7)                   rules/spawn-retry.ts
//   what an ssh exit means (1.4g's ssh_wait)                     decisions/exit-classification.ts
//   every log line and decision's words                          messages.ts
//
// The top of the start loop (give up, wait, or start ssh now) is one list of guarded
// transitions, `topOfStartLoop`, taken by every event that leads there: a transient state would
// cost two more microsteps per restart, and a year of restarts is what the simulator runs.
//
// It never touches I/O and never reads a clock: drivers send events stamped with their
// clock's time (src/machine/events.ts) and apply the emitted effects (src/machine/effects.ts).
// Timers are effects with absolute due times, kept in the context, so a restored snapshot can
// re-arm them; each falls due as its own event (BACKOFF_DUE, POLL_DUE, LIFETIME_DUE, KILL_DUE,
// CONNECT_DUE: events.ts's TIMER_DUE_EVENTS).
import { and, assertEvent, emit, setup } from 'xstate';
import { LOG_ERR, LOG_INFO } from './config/log-levels.js';
import type { AfterStop, MachineContext, MachineInput } from './context.js';
import { EXIT_ACTIONS, classifyExit, exitRuleOf, type ExitAction } from './decisions/exit-classification.js';
import type { Effect } from './effects.js';
import type { MachineEvent, SignalEvent, TimerName } from './events.js';
import { HANGUP_DECISION, PROD_DECISION, PROD_LOG, startingSsh } from './messages.js';
import { connectionTestActions, connectionTestGuards, armFirstPoll } from './rules/connection-test.js';
import { awaitEstablishment, awaitsEstablishment, establishmentActions, establishmentGuards } from './rules/establishment.js';
import { endForwardRun, forwardRetryActions, forwardRetryGuards } from './rules/forward-retry.js';
import { maxLifetimeActions, maxLifetimeGuards } from './rules/max-lifetime.js';
import { maxStartActions, maxStartGuards } from './rules/max-start.js';
import { networkWatchActions, networkWatchGuards } from './rules/network-watch.js';
import { spawnRetryActions, spawnRetryGuards } from './rules/spawn-retry.js';
import { stopActions, stopGuards } from './rules/stop.js';
import { waitActions, waitGuards } from './rules/wait.js';
import { stepAction, type GuardArgs } from './step.js';

export type { AfterStop, MachineContext, MachineInput };

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

/** What an ssh exit means: only the action (restart, or exit 0 or 1); judgeExit says the rest. */
function exitActionOf({ context, event }: GuardArgs): ExitAction {
  assertEvent(event, 'SSH_EXITED');
  const { startCount, lastStartMs } = context;
  const runMs = event.atMs - (lastStartMs ?? event.atMs);
  return EXIT_ACTIONS[exitRuleOf(event.end, { startCount, gateSeconds: context.config.gateSeconds, runMs })];
}

type StartLoopAction = 'begin' | 'judgeExit' | 'logSpawnFailure';
type StartLoopWhen = 'stopWasForRestart' | 'spawnFailureTransient';
type StartLoopGuard = 'maxStartReached' | 'lifetimeExceeded';

/**
 * The top of 1.4g's start loop: give up (AUTOSSH_MAXSTART, AUTOSSH_MAXLIFETIME), wait
 * (rules/wait.ts), or start ssh now, in this order of precedence. `first` runs before whichever
 * is taken; `when` narrows every branch (a stop for a restart). `ownExit`: the event is an ssh's
 * own exit, which ends any forward-retry run (D10) in an action the guards run before.
 */
function topOfStartLoop(first: StartLoopAction[], options: { when?: StartLoopWhen; ownExit?: boolean } = {}) {
  const { when } = options;
  const guard = (rule: StartLoopGuard) => (when ? and<MachineContext, MachineEvent, [StartLoopWhen, StartLoopGuard]>([when, rule]) : rule);
  const waitDue = { type: 'waitDue' as const, params: { ownExit: options.ownExit ?? false } };
  return [
    { guard: guard('maxStartReached'), target: '#autossh.exited', actions: [...first, 'exitAtMaxStart' as const] },
    { guard: guard('lifetimeExceeded'), target: '#autossh.exited', actions: [...first, 'exitAtLifetime' as const] },
    { guard: when ? and<MachineContext, MachineEvent, [StartLoopWhen, typeof waitDue]>([when, waitDue]) : waitDue, target: '#autossh.backingOff', actions: [...first, 'planBackoff' as const] },
    ...startSshNow([...first, 'countTry' as const], when),
  ];
}

/** Start ssh: with D9 on, its session is awaited (connecting); otherwise it is up at once (1.4g takes a running ssh for up). */
function startSshNow<A>(actions: A[], when?: StartLoopWhen | 'netWatchOn') {
  return [
    { guard: when ? and<MachineContext, MachineEvent, [typeof when, 'awaitsEstablishment']>([when, 'awaitsEstablishment']) : ('awaitsEstablishment' as const), target: '#autossh.sshRunning.connecting', reenter: true, actions },
    { ...(when ? { guard: when } : {}), target: '#autossh.sshRunning.up', reenter: true, actions },
  ];
}

// Once the ssh being stopped is gone, what comes next depends on why it was stopped.
function onceStoppedSshIsGone(first: Array<'logSpawnFailure'>) {
  return [
    ...topOfStartLoop(first, { when: 'stopWasForRestart' }),
    { guard: 'stopWasForLifetime' as const, target: '#autossh.exited', actions: [...first, { type: 'finish' as const, params: { code: 0 } }] },
    { target: '#autossh.exited', actions: [...first, 'exitSignalled' as const] },
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
    ...maxStartGuards,
    ...maxLifetimeGuards,
    ...waitGuards,
    ...establishmentGuards,
    ...forwardRetryGuards,
    ...networkWatchGuards,
    ...connectionTestGuards,
    ...stopGuards,
    ...spawnRetryGuards,
    // --- ssh exits (decisions/exit-classification.ts) ---
    exitMeansSuccess: (args) => exitActionOf(args) === 'exitOk',
    exitMeansGivingUp: (args) => exitActionOf(args) === 'exitError',
  },
  actions: {
    ...maxStartActions,
    ...maxLifetimeActions,
    ...waitActions,
    ...establishmentActions,
    ...forwardRetryActions,
    ...networkWatchActions,
    ...connectionTestActions,
    ...stopActions,
    ...spawnRetryActions,
    log: emit((_, params: { level: number; message: string }) => ({ type: 'log' as const, ...params })),
    decide: emit((_, params: { rule: string; detail: string }) => ({ type: 'decision' as const, ...params })),

    cancelTimers: stepAction<{ timers: TimerName[] }>((step, params) => {
      for (const timer of params.timers) step.cancel(timer);
    }),

    /** start ssh; with monitoring, arm its first connection test; with D9, await its session */
    startSsh: stepAction((step) => {
      const { context, event } = step;
      const n = context.startCount + 1;
      const { config } = context;
      step.set({ startCount: n, lastStartMs: event.atMs, killEscalated: false, sessionShown: !awaitsEstablishment(config) });
      step.log(LOG_INFO, startingSsh(n, config.maxStart));
      step.emit({ type: 'spawnSsh', n, argv: config.sshArgv });
      if (config.monitor) armFirstPoll(step);
      if (awaitsEstablishment(config)) awaitEstablishment(step);
    }),

    /** log what an ssh exit means, by 1.4g's rules */
    judgeExit: stepAction((step) => {
      const { context, event } = step;
      assertEvent(event, 'SSH_EXITED');
      const runMs = event.atMs - (context.lastStartMs ?? event.atMs);
      const verdict = classifyExit(event.end, { startCount: context.startCount, gateSeconds: context.config.gateSeconds, runMs });
      endForwardRun(step);
      step.log(verdict.action === 'restart' ? LOG_INFO : LOG_ERR, verdict.message);
      step.decide({ rule: verdict.rule, detail: verdict.message });
    }),

    // --- the ends: each said once, whichever state reaches it ---
    finish: stepAction<{ code: number }>((step, params) => step.finish(params.code)),
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
    afterStop: 'restart',
    killEscalated: false,
    exitCode: null,
    timers: {},
  }),
  initial: 'starting',
  states: {
    // Start-up (the listener, the pid file) is the driver's; a signal to exit meanwhile ends it.
    starting: {
      on: {
        START: topOfStartLoop(['begin']),
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
        LIFETIME_DUE: { target: 'exited', actions: 'exitAtLifetime' },
        ...onEach(EXIT_SIGNALS, { target: 'exited', actions: 'exitSignalled' }),
        ...onEach(PROD_SIGNALS, startSshNow([
          { type: 'log' as const, params: { level: LOG_INFO, message: PROD_LOG } },
          { type: 'decide' as const, params: PROD_DECISION },
        ])),
      },
    },

    sshRunning: {
      entry: 'startSsh',
      exit: { type: 'cancelTimers', params: { timers: ['poll', 'connect'] } },
      // every way in names its child (startSshNow): connecting or up
      initial: 'up',
      on: {
        SSH_EXITED: [
          { guard: 'exitMeansSuccess', target: 'exited', actions: ['judgeExit', { type: 'finish', params: { code: 0 } }] },
          { guard: 'exitMeansGivingUp', target: 'exited', actions: ['judgeExit', { type: 'finish', params: { code: 1 } }] },
          // a restart: judged, then the top of the start loop (an ssh's own exit ends a forward-retry run)
          ...topOfStartLoop(['judgeExit'], { ownExit: true }),
        ],
        SSH_SPAWN_FAILED: [
          // out of descriptors, processes or memory: the same start works a moment later
          { guard: and(['spawnFailureTransient', 'maxStartReached']), target: 'exited', actions: ['logSpawnFailure', 'exitAtMaxStart'] },
          { guard: and(['spawnFailureTransient', 'lifetimeExceeded']), target: 'exited', actions: ['logSpawnFailure', 'exitAtLifetime'] },
          { guard: 'spawnFailureTransient', target: 'backingOff', actions: 'planSpawnRetry' },
          // D7: 1.4g's child SIGTERMs its parent; we say what failed.
          { target: 'exited', actions: ['logSpawnFailure', { type: 'finish', params: { code: 1 } }] },
        ],
        ...onEach(EXIT_SIGNALS, { target: 'stopping', actions: 'stopForExit' }),
        'SIGNAL.USR1': { target: 'stopping', actions: 'stopForRestart' },
        LIFETIME_DUE: { target: 'stopping', actions: 'stopAtLifetime' },
        // D9: no sign of a session within AUTOSSH_CONNECTTIME (a stuck connect, kex or auth)
        CONNECT_DUE: { target: 'stopping', actions: 'stopNotEstablished' },
        // D10: the server still holds our -R port for an old session
        REMOTE_FORWARD_FAILED: { guard: 'currentSshForwardFailed', target: 'stopping', actions: 'stopForForwardFailure' },
        SSH_ESTABLISHED: { guard: 'isCurrentSsh', actions: 'noteEstablished' },
        POLL_DUE: { target: '.testing' },
        // D2: 1.4g ignores SIGHUP here; we test the connection now (-M 0: nothing to test)
        'SIGNAL.HUP': {
          guard: 'monitoringOn',
          target: '.testing',
          actions: { type: 'decide', params: HANGUP_DECISION },
        },
        // SIGUSR2 is ignored.
      },
      states: {
        // ssh runs; with D9 on, its session is not yet known to be up
        connecting: {
          on: { SSH_ESTABLISHED: { guard: 'isCurrentSsh', target: 'up', actions: 'noteEstablished' } },
        },
        up: {},
        // One connection test in flight. D3: 1.4g lets a signal or an ssh exit fail the test; here
        // SIGHUP is absorbed and the test goes on, and an ssh exit is judged by the normal rules, as
        // anywhere in sshRunning. Whatever leaves sshRunning (that exit, a signal to exit or to
        // restart, the lifetime, D9's or D10's stop) ends the test too: cancelTest on the way out.
        testing: {
          entry: 'startTest',
          exit: 'cancelTest',
          on: {
            'SIGNAL.HUP': {}, // absorbed by the test in flight (D2, D3)
            // a test that passed went through the session: it is up
            PROBE_PASSED: { guard: 'isCurrentTest', target: 'up', actions: 'testPassed' },
            PROBE_FAILED: { guard: 'isCurrentTest', target: '#autossh.stopping', actions: 'restartAfterFailedTest' },
          },
        },
      },
    },

    // SIGTERM sent; wait for ssh to go. D4: SIGKILL after AUTOSSH_KILLTIME, or at once on a
    // second SIGTERM/SIGINT (1.4g waits forever).
    stopping: {
      exit: { type: 'cancelTimers', params: { timers: ['kill'] } },
      on: {
        SSH_EXITED: onceStoppedSshIsGone([]),
        // the ssh we were stopping never started (a signal came before its failure to start):
        // it is gone all the same
        SSH_SPAWN_FAILED: onceStoppedSshIsGone(['logSpawnFailure']),
        KILL_DUE: { actions: 'escalateKill' },
        ...onEach(INSISTING_SIGNALS, [
          {
            guard: 'alreadySignalledToExit',
            actions: 'escalateKill',
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
