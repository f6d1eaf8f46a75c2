// Why a run of the machine ended (src/daemon/run-end.ts), read from the real machine's effects
// and its host's news, for each way a run ends: the `reason` label of
// autossh_tunnel_restarts_total.
import { describe, expect, it } from 'vitest';
import { RunEndWatch } from '../../src/daemon/run-end.js';
import type { RunEndReason } from '../../src/daemon/restart-policy.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import type { Config } from '../../src/machine/config/types.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { HandHost, configOf } from '../support/tracked-tunnel.js';

/** The machine over a hand-driven host, watched as a daemon run is; `drive` ends the run. */
function endOf(config: Config, drive: (host: HandHost, clock: VirtualClock) => void, options: { bindFails?: boolean } = {}): { code: number; reason: RunEndReason } {
  const clock = new VirtualClock();
  const watch = new RunEndWatch();
  const supervisor = new Supervisor(config, { observe: (effect) => watch.observe(effect) });
  const host = new HandHost(clock, (event) => {
    watch.heard(event);
    supervisor.tell(event);
  });
  if (options.bindFails) host.openMonitorListener = (_port, done) => done('Address already in use');
  supervisor.start(host);
  clock.runUntil(0, 1_000);
  drive(host, clock);
  clock.runUntil(clock.now() + 3_600_000, 100_000);
  const code = host.exitCode;
  if (code === null) throw new Error('the run did not end');
  return { code, reason: watch.reasonOf(code) };
}

const at = (clock: VirtualClock, ms: number): void => clock.runUntil(ms, 10_000);

describe('why a run ended', () => {
  it('ssh exited 0: exited_ok', () => {
    expect(endOf(configOf(['-M', '0', 'h'], { AUTOSSH_GATETIME: '0' }), (host) => host.endSsh({ code: 0 }))).toEqual({ code: 0, reason: 'exited_ok' });
  });

  it('AUTOSSH_MAXSTART used up: max_start', () => {
    expect(endOf(configOf(['-M', '0', 'h'], { AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '1' }), (host) => host.endSsh({ code: 255 }))).toEqual({ code: 0, reason: 'max_start' });
  });

  it('AUTOSSH_MAXLIFETIME reached: lifetime', () => {
    expect(endOf(configOf(['-M', '0', 'h'], { AUTOSSH_GATETIME: '0', AUTOSSH_MAXLIFETIME: '60' }), () => {})).toEqual({ code: 0, reason: 'lifetime' });
  });

  it('the first ssh ended inside the gate: exited_error', () => {
    expect(endOf(configOf(['-M', '0', 'h'], { AUTOSSH_GATETIME: '30' }), (host, clock) => {
      at(clock, 1_000);
      host.endSsh({ code: 255 });
    })).toEqual({ code: 1, reason: 'exited_error' });
  });

  it('ssh could not be executed: spawn_failed', () => {
    expect(endOf(configOf(['-M', '0', 'h'], { AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '3' }), (host, clock) => {
      at(clock, 1_000);
      host.failNextSpawn = true;
      host.endSsh({ code: 255 }); // restarted at once: that start fails, and the run ends
    })).toEqual({ code: 1, reason: 'spawn_failed' });
  });

  it('the monitor port could not be bound: start_failed', () => {
    expect(endOf(configOf(['-M', '20000', 'h'], { AUTOSSH_GATETIME: '0' }), () => {}, { bindFails: true })).toEqual({ code: 1, reason: 'start_failed' });
  });
});
