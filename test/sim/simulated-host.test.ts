// The base every simulated world stands on (sim/simulated-host.ts): what it does for a world that
// says no more than it must (its ssh, its tests, its end), with the real driver on top.
import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/driver/supervisor.js';
import { LOG_ERR } from '../../src/machine/config/log-levels.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import type { WorldEvent } from '../../src/machine/events.js';
import { SimulatedHost } from '../../sim/simulated-host.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const CALLBACKS = 10_000;

function configOf(args: string[], env: Record<string, string> = {}): Config {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', ...env });
  if (outcome.kind !== 'run') throw new Error(`bad test config ${JSON.stringify(args)}`);
  return outcome.config;
}

/** The least a world must say: an ssh that runs until SIGTERM ends it (255), tests that never answer. */
class QuietWorld extends SimulatedHost {
  readonly calls: string[] = [];

  override spawnSsh(n: number): void {
    this.calls.push(`${this.now()} spawn ${n}`);
  }
  override signalSsh(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.calls.push(`${this.now()} ssh gets ${signal}`);
    this.tellSettled({ type: 'SSH_EXITED', end: { code: 255 } });
  }
  override awaitEstablished(): void {}
  override runProbe(): void {}
  override cancelProbe(): void {}
  override exit(code: number): void {
    this.calls.push(`${this.now()} exit ${code}`);
    this.timers.cancelAll();
  }
  override log(level: number, message: string): void {
    this.calls.push(`${this.now()} log ${level} ${message}`);
  }
  /** for the test: news told as a world tells ssh's end */
  settle(event: WorldEvent): void {
    this.tellSettled(event);
  }
}

/** A world on its own, its news recorded with the virtual time it was heard at. */
function alone(): { clock: VirtualClock; world: QuietWorld; heard: string[] } {
  const clock = new VirtualClock();
  const heard: string[] = [];
  const world = new QuietWorld(clock, (event) => heard.push(`${clock.now()} ${event.type}`));
  return { clock, world, heard };
}

describe('the simulated worlds\' base', () => {
  it('tells a named timer at its time, once; arming the name again replaces it, cancelling it silences it', () => {
    const { clock, world, heard } = alone();
    world.armTimer('poll', 1_000);
    world.armTimer('poll', 2_000);
    world.armTimer('backoff', 500);
    world.cancelTimer('backoff');
    world.armTimer('kill', 3_000);
    clock.runUntil(10_000, CALLBACKS);
    expect(heard).toEqual(['2000 POLL_DUE', '3000 KILL_DUE']);
  });

  it('tells settled news after what this instant already holds, as a SIGCHLD is heard', () => {
    const { clock, world, heard } = alone();
    clock.at(100, () => world.settle({ type: 'SSH_EXITED', end: { code: 255 } }));
    clock.at(100, () => heard.push('100 the rest of the instant'));
    clock.runUntil(100, CALLBACKS);
    expect(heard).toEqual(['100 the rest of the instant', '100 SSH_EXITED']);
  });

  it('says a failed start-up in its log at LOG_ERR, and has no listener or pid file that could fail', () => {
    const { world } = alone();
    world.startFailed('cannot start');
    let bound: string | null | undefined;
    world.openMonitorListener(20_000, (error) => (bound = error));
    expect({ calls: world.calls, bound, pidFile: world.writePidFile() }).toEqual({
      calls: [`0 log ${LOG_ERR} cannot start`],
      bound: null,
      pidFile: null,
    });
  });

  it('carries a real supervisor through start-up (loop monitor, pid file) and a lifetime on its timers alone', () => {
    const clock = new VirtualClock();
    const config = configOf(['-M', '20000', 'host'], {
      AUTOSSH_PIDFILE: '/nonexistent/autossh.pid',
      AUTOSSH_GATETIME: '0',
      AUTOSSH_POLL: '600',
      AUTOSSH_MAXLIFETIME: '10',
    });
    const supervisor = new Supervisor(config);
    const world = new QuietWorld(clock, supervisor.tell);
    supervisor.start(world);
    clock.runUntil(60_000, CALLBACKS);
    expect(world.calls.filter((call) => !call.includes(' log '))).toEqual(['0 spawn 1', '10000 ssh gets SIGTERM', '10000 exit 0']);
  });
});
