// Stand-ins for the driver's unit tests: a machine that plays scripted effects (the real one
// breaks no invariant, so a broken machine is played here) and a host that records what the
// driver asked of it.
import type { SupervisorHost } from '../../src/driver/host.js';
import type { MachineRunner, RunMachine } from '../../src/driver/machine-runner.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import type { Effect } from '../../src/machine/effects.js';
import type { MachineEvent } from '../../src/machine/events.js';

export function config(env: Record<string, string> = {}, args = ['-M', '0', 'host']): Config {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', AUTOSSH_POLL: '60', ...env });
  if (outcome.kind !== 'run') throw new Error('bad config');
  return outcome.config;
}

/** Each step a scripted list of effects, or an error the machine's action throws. */
export type ScriptedStep = Effect[] | Error;

/** A stand-in machine: each event it is sent plays the next scripted step. */
export function scripted(...steps: ScriptedStep[]): RunMachine {
  return (_input, _persisted, callbacks): MachineRunner => ({
    send(_event: MachineEvent) {
      const step = steps.shift() ?? [];
      if (step instanceof Error) return callbacks.onError(step);
      for (const effect of step) callbacks.onEffect(effect);
    },
    getSnapshot: () => { throw new Error('not used'); },
    getPersistedSnapshot: () => { throw new Error('not used'); },
  });
}

export type RecordingHost = SupervisorHost & {
  calls: string[];
  /** `LEVEL message`, as the host was asked to log it */
  logs: string[];
  nowMs: number;
};

/** A host that records what the driver asked of it; its clock is `nowMs`, 1000 unless set. */
export function recordingHost(): RecordingHost {
  const calls: string[] = [];
  const host: RecordingHost = {
    calls,
    logs: [],
    nowMs: 1000,
    now: () => host.nowMs,
    log: (level, message) => host.logs.push(`${level} ${message}`),
    startFailed: (message) => calls.push(`startFailed ${message}`),
    openMonitorListener: (_port, done) => done(null),
    closeMonitorListener: () => calls.push('closeMonitorListener'),
    writePidFile: () => null,
    removePidFile: () => calls.push('removePidFile'),
    spawnSsh: (n) => calls.push(`spawn ${n}`),
    signalSsh: (signal) => calls.push(`signal ${signal}`),
    runProbe: () => calls.push('probe'),
    cancelProbe: () => {},
    awaitEstablished: () => calls.push('awaitEstablished'),
    watchNetwork: () => calls.push('watchNetwork'),
    unwatchNetwork: () => calls.push('unwatchNetwork'),
    armTimer: (timer, dueMs) => calls.push(`arm ${timer} ${dueMs}`),
    cancelTimer: (timer) => calls.push(`cancel ${timer}`),
    exit: (code) => calls.push(`exit ${code}`),
  };
  return host;
}

export const spawn = (n: number): Effect => ({ type: 'spawnSsh', n, argv: ['ssh', 'host'] });
