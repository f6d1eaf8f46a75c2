// autossh's every decision, as one xstate machine. It reads like autossh(1):
//
//   ready ──START──▶ deciding ──▶ backingOff ──▶ sshRunning (watching ⇄ probing) ──▶ killing
//                       ▲                              │ ssh exits                      │ ssh reaped
//                       └──────────── restart ─────────┴────────────────────────────────┘
//                                                                       exited (final)
//
// It never touches I/O and never reads a clock: drivers send events stamped with their
// clock's time and apply the emitted effects (src/machine/effects.ts). Timers are effects
// with absolute due times, kept in the context, so a restored snapshot can re-arm them.
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Config } from './config/types.js';
import { LOG_DEBUG, LOG_ERR, LOG_INFO } from './config/log-levels.js';
import { classifyExit, type ExitVerdict } from './decisions/exit-classification.js';
import { decideGrace, type GraceDecision } from './decisions/grace-time.js';
import { nextPollDueMs } from './decisions/poll-schedule.js';
import type { Effect } from './effects.js';
import type { MachineEvent, TimerName } from './events.js';
import { signalNumber } from './signals.js';

export interface MachineInput {
  config: Config;
}

/** What to do once the ssh we are stopping has been reaped. */
export type AfterKill = 'restart' | 'exitOk' | 'exitError';

export interface MachineContext {
  config: Config;
  startedAtMs: number;
  lifetimeDeadlineMs: number | null;
  /** how many times ssh was started (1.4g's start_count) */
  startCount: number;
  /** when the previous ssh was started, for the fast-try count */
  lastStartMs: number | null;
  graceTries: number;
  graceSeconds: number;
  childStartedAtMs: number;
  probeSeq: number;
  afterKill: AfterKill;
  /** SIGTERM/SIGINT seen: whatever else happens, the end is exit 1 */
  exitSignalled: boolean;
  /** SIGKILL already sent to the ssh being stopped */
  killEscalated: boolean;
  exitCode: number | null;
  /** armed timers and their due times (ms), so a restored snapshot can re-arm them */
  timers: Partial<Record<TimerName, number>>;
}

type Ev<T extends MachineEvent['type']> = Extract<MachineEvent, { type: T }>;

const isExitSignal = (s: string): boolean => s === 'SIGTERM' || s === 'SIGINT' || s === 'SIGQUIT' || s === 'SIGABRT';
const isSignal = (e: MachineEvent, ...names: string[]): boolean => e.type === 'SIGNAL' && names.includes(e.signal);
const isTimer = (e: MachineEvent, name: TimerName): boolean => e.type === 'TIMER' && e.timer === name;

function exitVerdictOf(context: MachineContext, event: MachineEvent): ExitVerdict {
  const exit = event as Ev<'CHILD_EXIT'>;
  const end = exit.signal !== undefined ? { signal: exit.signal } : { code: exit.code ?? 0 };
  return classifyExit(end, {
    startCount: context.startCount,
    gateSeconds: context.config.gateSeconds,
    runMs: exit.atMs - context.childStartedAtMs,
  });
}

function graceOf(context: MachineContext, event: MachineEvent): GraceDecision {
  return decideGrace(context.graceTries, context.lastStartMs, (event as { atMs: number }).atMs, context.config.pollSeconds);
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

// Once the ssh being stopped is gone, what comes next depends on why it was stopped.
function sshGoneWhileKilling(...first: Array<{ type: 'logSpawnFailure' }>) {
  return [
    { guard: 'killWasForRestart' as const, target: 'deciding', actions: [...first] },
    { guard: 'killWasForLifetime' as const, target: 'exited', actions: [...first, { type: 'finish' as const, params: { code: 0 } }] },
    {
      target: 'exited',
      actions: [
        ...first,
        { type: 'log' as const, params: { level: LOG_ERR, message: 'signalled to exit' } },
        { type: 'finish' as const, params: { code: 1 } },
      ],
    },
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
    lifetimeExceeded: ({ context, event }) =>
      context.lifetimeDeadlineMs !== null && (event as { atMs: number }).atMs >= context.lifetimeDeadlineMs,
    exitSignalled: ({ context }) => context.exitSignalled,
    graceTimeDue: ({ context, event }) => graceOf(context, event).graceSeconds > 0,
    // --- signals ---
    isExitSignal: ({ event }) => event.type === 'SIGNAL' && isExitSignal(event.signal),
    isRestartSignal: ({ event }) => isSignal(event, 'SIGUSR1'),
    isProdSignal: ({ event }) => isSignal(event, 'SIGHUP', 'SIGUSR1'),
    hangupWhileMonitoring: ({ context, event }) => context.config.monitor !== null && isSignal(event, 'SIGHUP'),
    secondSignalToExit: ({ context, event }) => context.exitSignalled && isSignal(event, 'SIGTERM', 'SIGINT'),
    // --- timers ---
    isBackoffTimer: ({ event }) => isTimer(event, 'backoff'),
    isPollTimer: ({ event }) => isTimer(event, 'poll'),
    isLifetimeTimer: ({ event }) => isTimer(event, 'lifetime'),
    isKillTimer: ({ event }) => isTimer(event, 'kill'),
    // --- ssh exits ---
    exitMeansRestart: ({ context, event }) => exitVerdictOf(context, event).action === 'restart',
    exitMeansSuccess: ({ context, event }) => exitVerdictOf(context, event).action === 'exitOk',
    // --- connection tests ---
    isCurrentProbe: ({ context, event }) => event.type === 'PROBE_RESULT' && event.probeId === context.probeSeq,
    probePassed: ({ context, event }) =>
      event.type === 'PROBE_RESULT' && event.probeId === context.probeSeq && event.ok,
    // --- stopping ssh ---
    killWasForRestart: ({ context }) => context.afterKill === 'restart' && !context.exitSignalled,
    killWasForLifetime: ({ context }) => context.afterKill === 'exitOk' && !context.exitSignalled,
  },
  actions: {
    log: emit((_, params: { level: number; message: string }) => ({ type: 'log' as const, ...params })),
    decide: emit((_, params: { rule: string; detail: string }) => ({ type: 'decision' as const, ...params })),
    logSpawnFailure: emit(({ context, event }) => ({
      type: 'log' as const,
      level: LOG_ERR,
      message: `${context.config.sshPath}: ${(event as Ev<'SPAWN_FAILED'>).error}`,
    })),

    cancelTimer: enqueueActions(({ enqueue, context }, params: { timer: TimerName }) => queueCancel(enqueue, context, params.timer)),

    /** autossh starts: the lifetime counts from here (1.4g: pid_start_time) */
    begin: enqueueActions(({ enqueue, context, event }) => {
      const atMs = (event as Ev<'START'>).atMs;
      const lifetimeDeadlineMs =
        context.config.maxLifetimeSeconds > 0 ? atMs + context.config.maxLifetimeSeconds * 1000 : null;
      enqueue.assign({ startedAtMs: atMs, lifetimeDeadlineMs });
      if (lifetimeDeadlineMs !== null) queueArm(enqueue, 'lifetime', lifetimeDeadlineMs);
    }),

    /** 1.4g's grace_time: count fast tries, decide how long to wait before this start */
    countTry: assign(({ context, event }) => {
      const grace = graceOf(context, event);
      return { graceTries: grace.tries, graceSeconds: grace.graceSeconds };
    }),
    armBackoff: enqueueActions(({ enqueue, context, event }) => {
      const atMs = (event as { atMs: number }).atMs;
      queueLog(enqueue, LOG_DEBUG, `sleeping for grace time ${context.graceSeconds} secs`);
      queueDecision(enqueue, 'graceTime', `${context.graceTries} fast tries in a row: wait ${context.graceSeconds} s before the next start`);
      queueArm(enqueue, 'backoff', atMs + context.graceSeconds * 1000);
    }),

    startSsh: enqueueActions(({ enqueue, context, event }) => {
      const atMs = (event as { atMs: number }).atMs;
      const n = context.startCount + 1;
      const { config } = context;
      enqueue.assign({ startCount: n, lastStartMs: atMs, childStartedAtMs: atMs, killEscalated: false });
      const counted = config.maxStart < 0 ? `count ${n}` : `count ${n} of ${config.maxStart}`;
      queueLog(enqueue, LOG_INFO, `starting ssh (${counted})`);
      enqueue.emit({ type: 'spawnSsh', n, argv: config.sshArgv });
    }),
    armFirstPoll: enqueueActions(({ enqueue, context, event }) => {
      if (!context.config.monitor) return;
      const atMs = (event as { atMs: number }).atMs;
      const { firstPollSeconds, pollSeconds } = context.config;
      const dueMs = nextPollDueMs(atMs, firstPollSeconds, pollSeconds, context.lifetimeDeadlineMs);
      if (dueMs !== null) queueArm(enqueue, 'poll', dueMs);
    }),
    armNextPoll: enqueueActions(({ enqueue, context, event }) => {
      const atMs = (event as { atMs: number }).atMs;
      const { pollSeconds } = context.config;
      const dueMs = nextPollDueMs(atMs, pollSeconds, pollSeconds, context.lifetimeDeadlineMs);
      if (dueMs !== null) queueArm(enqueue, 'poll', dueMs);
    }),
    runProbe: enqueueActions(({ enqueue, context }) => {
      const probeId = context.probeSeq + 1;
      const { monitor, netTimeoutMs, message } = context.config;
      if (!monitor) return;
      enqueue.assign({ probeSeq: probeId });
      queueCancel(enqueue, context, 'poll');
      enqueue.emit({ type: 'runProbe', probeId, monitor, netTimeoutMs, message });
    }),
    cancelProbe: emit(({ context }) => ({ type: 'cancelProbe' as const, probeId: context.probeSeq })),

    /** log what an ssh exit means, by 1.4g's rules */
    judgeExit: enqueueActions(({ enqueue, context, event }) => {
      const verdict = exitVerdictOf(context, event);
      queueLog(enqueue, verdict.action === 'restart' ? LOG_INFO : LOG_ERR, verdict.message);
      queueDecision(enqueue, verdict.rule, verdict.message);
    }),

    stopSsh: enqueueActions(({ enqueue, context, event }, params: { afterKill: AfterKill }) => {
      const atMs = (event as { atMs: number }).atMs;
      enqueue.assign({ afterKill: params.afterKill });
      enqueue.emit({ type: 'signalSsh', signal: 'SIGTERM' });
      if (context.config.killSeconds > 0) {
        queueArm(enqueue, 'kill', atMs + context.config.killSeconds * 1000);
      }
    }),
    escalateKill: enqueueActions(({ enqueue, context }, params: { why: string }) => {
      if (context.killEscalated) return;
      enqueue.assign({ killEscalated: true });
      queueCancel(enqueue, context, 'kill');
      queueLog(enqueue, LOG_ERR, `${params.why}; sending SIGKILL`);
      queueDecision(enqueue, 'killTime', params.why);
      enqueue.emit({ type: 'signalSsh', signal: 'SIGKILL' });
    }),
    noteExitSignal: assign({ exitSignalled: true }),

    finish: enqueueActions(({ enqueue, context }, params: { code: number }) => {
      for (const timer of Object.keys(context.timers) as TimerName[]) queueCancel(enqueue, context, timer);
      enqueue.assign({ exitCode: params.code });
      enqueue.emit({ type: 'exit', code: params.code });
    }),
  },
}).createMachine({
  id: 'autossh',
  context: ({ input }) => ({
    config: input.config,
    startedAtMs: 0,
    lifetimeDeadlineMs: null,
    startCount: 0,
    lastStartMs: null,
    graceTries: 0,
    graceSeconds: 0,
    childStartedAtMs: 0,
    probeSeq: 0,
    afterKill: 'restart',
    exitSignalled: false,
    killEscalated: false,
    exitCode: null,
    timers: {},
  }),
  initial: 'ready',
  states: {
    ready: {
      on: { START: { target: 'deciding', actions: 'begin' } },
    },

    // The top of 1.4g's start loop: give up, wait, or start ssh now.
    deciding: {
      always: [
        {
          guard: 'maxStartReached',
          target: 'exited',
          actions: [
            { type: 'log', params: { level: LOG_INFO, message: 'max start count reached; exiting' } },
            { type: 'decide', params: { rule: 'maxStart', detail: 'AUTOSSH_MAXSTART starts used up: exit 0' } },
            { type: 'finish', params: { code: 0 } },
          ],
        },
        {
          guard: 'lifetimeExceeded',
          target: 'exited',
          actions: [
            { type: 'log', params: { level: LOG_INFO, message: 'exceeded maximum time to live, shutting down' } },
            { type: 'decide', params: { rule: 'maxLifetime', detail: 'AUTOSSH_MAXLIFETIME reached: exit 0' } },
            { type: 'finish', params: { code: 0 } },
          ],
        },
        {
          guard: 'exitSignalled',
          target: 'exited',
          actions: [
            { type: 'log', params: { level: LOG_ERR, message: 'signalled to exit' } },
            { type: 'finish', params: { code: 1 } },
          ],
        },
        { guard: 'graceTimeDue', target: 'backingOff', actions: 'countTry' },
        { target: 'sshRunning', actions: 'countTry' },
      ],
    },

    // Too many fast failures: wait before the next start. 1.4g sleeps here with no handler
    // for HUP/USR1 (they kill it); we take them as "start now" (D1).
    backingOff: {
      entry: 'armBackoff',
      exit: { type: 'cancelTimer', params: { timer: 'backoff' } },
      on: {
        TIMER: [
          { guard: 'isBackoffTimer', target: 'sshRunning' },
          {
            // D5: 1.4g would start ssh later with a negative alarm and never stop it
            guard: 'isLifetimeTimer',
            target: 'exited',
            actions: [
              { type: 'log', params: { level: LOG_INFO, message: 'exceeded maximum time to live, shutting down' } },
              { type: 'decide', params: { rule: 'maxLifetime', detail: 'lifetime reached while waiting: exit 0' } },
              { type: 'finish', params: { code: 0 } },
            ],
          },
        ],
        SIGNAL: [
          {
            guard: 'isExitSignal',
            target: 'exited',
            actions: [
              { type: 'log', params: { level: LOG_ERR, message: 'signalled to exit' } },
              { type: 'finish', params: { code: 1 } },
            ],
          },
          {
            guard: 'isProdSignal',
            target: 'sshRunning',
            actions: [
              { type: 'log', params: { level: LOG_INFO, message: 'signalled to start ssh now' } },
              { type: 'decide', params: { rule: 'prodDuringBackoff', detail: 'SIGHUP/SIGUSR1 ends the wait (D1)' } },
            ],
          },
          // SIGUSR2: ignored
        ],
      },
    },

    sshRunning: {
      entry: ['startSsh', 'armFirstPoll'],
      exit: { type: 'cancelTimer', params: { timer: 'poll' } },
      initial: 'watching',
      on: {
        CHILD_EXIT: [
          { guard: 'exitMeansRestart', target: 'deciding', actions: 'judgeExit' },
          { guard: 'exitMeansSuccess', target: 'exited', actions: ['judgeExit', { type: 'finish', params: { code: 0 } }] },
          { target: 'exited', actions: ['judgeExit', { type: 'finish', params: { code: 1 } }] },
        ],
        SPAWN_FAILED: {
          // D7: 1.4g's child SIGTERMs its parent; we say what failed.
          target: 'exited',
          actions: ['logSpawnFailure', { type: 'finish', params: { code: 1 } }],
        },
        SIGNAL: [
          {
            // D6: SIGQUIT and SIGABRT too (1.4g dies of them and leaves ssh running)
            guard: 'isExitSignal',
            target: 'killing',
            actions: [
              'noteExitSignal',
              {
                type: 'log',
                params: ({ event }) => ({
                  level: LOG_INFO,
                  message: `received signal to exit (${signalNumber((event as Ev<'SIGNAL'>).signal)})`,
                }),
              },
              { type: 'stopSsh', params: { afterKill: 'exitError' } },
            ],
          },
          {
            guard: 'isRestartSignal',
            target: 'killing',
            actions: [
              { type: 'log', params: { level: LOG_INFO, message: 'signalled to kill and restart ssh' } },
              { type: 'decide', params: { rule: 'restartSignal', detail: 'SIGUSR1: kill and restart ssh' } },
              { type: 'stopSsh', params: { afterKill: 'restart' } },
            ],
          },
          // SIGHUP is handled by the substates; SIGUSR2 is ignored.
        ],
        TIMER: {
          guard: 'isLifetimeTimer',
          target: 'killing',
          actions: [
            { type: 'log', params: { level: LOG_INFO, message: 'exceeded maximum time to live, shutting down' } },
            { type: 'decide', params: { rule: 'maxLifetime', detail: 'AUTOSSH_MAXLIFETIME reached: stop ssh, exit 0' } },
            { type: 'stopSsh', params: { afterKill: 'exitOk' } },
          ],
        },
      },
      states: {
        watching: {
          on: {
            TIMER: { guard: 'isPollTimer', target: 'probing' },
            SIGNAL: {
              // D2: 1.4g ignores SIGHUP here; we test the connection now
              guard: 'hangupWhileMonitoring',
              target: 'probing',
              actions: { type: 'decide', params: { rule: 'hangupTestsNow', detail: 'SIGHUP: test the connection now (D2)' } },
            },
          },
        },
        // One connection test in flight. Signals and an ssh exit do not disturb it (D3).
        probing: {
          entry: 'runProbe',
          exit: 'cancelProbe',
          on: {
            PROBE_RESULT: [
              { guard: 'probePassed', target: 'watching', actions: 'armNextPoll' },
              {
                guard: 'isCurrentProbe',
                target: '#autossh.killing',
                actions: [
                  { type: 'log', params: { level: LOG_INFO, message: 'port down, restarting ssh' } },
                  {
                    type: 'decide',
                    params: ({ event }) => ({
                      rule: 'connectionTestFailed',
                      detail: `connection test failed (${(event as Ev<'PROBE_RESULT'>).reason ?? 'no reply'}): restart ssh`,
                    }),
                  },
                  { type: 'stopSsh', params: { afterKill: 'restart' } },
                ],
              },
            ],
          },
        },
      },
    },

    // SIGTERM sent; wait for ssh to go. D4: SIGKILL after AUTOSSH_KILLTIME, or at once on a
    // second SIGTERM/SIGINT (1.4g waits forever).
    killing: {
      exit: { type: 'cancelTimer', params: { timer: 'kill' } },
      on: {
        CHILD_EXIT: sshGoneWhileKilling(),
        // the ssh we were stopping never started (a signal came before its failure to start):
        // it is gone all the same
        SPAWN_FAILED: sshGoneWhileKilling({ type: 'logSpawnFailure' }),
        TIMER: {
          guard: 'isKillTimer',
          actions: {
            type: 'escalateKill',
            params: ({ context }) => ({ why: `ssh still running ${context.config.killSeconds} s after SIGTERM` }),
          },
        },
        SIGNAL: [
          {
            guard: 'secondSignalToExit',
            actions: { type: 'escalateKill', params: { why: 'second signal to exit while ssh is stopping' } },
          },
          { guard: 'isExitSignal', actions: 'noteExitSignal' },
        ],
      },
    },

    exited: { type: 'final' },
  },
  output: ({ context }) => ({ code: context.exitCode ?? 1 }),
});

export type AutosshMachine = typeof autosshMachine;
