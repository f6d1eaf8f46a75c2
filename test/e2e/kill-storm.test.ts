// Issue 16's reproduction, at a test's size: daemons (`autossh-ts --config FILE`, the shipped
// bundle) SIGKILLed in the middle of starting their tunnels, or of a reload restarting them all,
// and no ssh left running after its daemon. Each kill costs a Node start (about 0.25 s of CPU),
// so this storm is small; the 200-kill storm of the exec plan itself is
// test/adapters/parent-bound-exec.test.ts (it fails at once without the parent check), and the
// full-sized daemon storm (300 tunnels, 200 kills) is bench/kill-storm.ts.
import { describe, expect, it } from 'vitest';
import { runDaemonKillStorm } from '../../lab/world/kill-storm.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;

describe('daemons SIGKILLed while they start ssh', () => {
  it('leave no ssh running, in their start or in a reload', async () => {
    const result = await runDaemonKillStorm({
      command: AUTOSSH_TS,
      kills: 24,
      tunnelsPerDaemon: 12,
      parallel: 3,
      reloadShare: 0.5,
      seed: 16,
      daemonTimeoutMs: 20_000,
    });
    expect(result.startKills).toBeGreaterThan(0);
    expect(result.reloadKills).toBeGreaterThan(0);
    // each daemon reached its kill point: the kills fell inside a spawn burst
    expect(result.timeouts).toBe(0);
    expect(result.survivors.map((p) => `pid ${p.pid} (parent ${p.ppid}) ${p.argv.join(' ')}`)).toEqual([]);
  }, 60_000);
});
