// The built-in schedules. Toxiproxy's: one fault each (flap: several short ones), 2 s after the
// tunnel is up, 4-6 s long, so a run takes about 15 s. The network namespace's (stuck-handshake,
// stale-listener, link-flap) are longer: their faults are sized to what they show, with the
// arithmetic next to each (and in docs/chaos.md). Written in the file format, so each one
// doubles as an example.
import { parseSchedule } from './parse.js';
import type { Schedule } from './types.js';

/** Huge enough that nothing gets through while the fault is on: a latency toxic pauses, and resumes when removed. */
const PAUSE_LATENCY_MS = 3_600_000;

const BUILTIN: Record<string, { description: string; steps: unknown[]; forward?: string; recoveryTimeout?: string; env?: Record<string, string> }> = {
  blackhole: {
    description: 'all traffic silently dropped both ways for 5 s (timeout toxic, timeout 0)',
    steps: [{ name: 'blackhole', type: 'timeout', at: '2s', duration: '5s', attributes: { timeout: 0 } }],
  },
  reset: {
    description: 'every connection reset (TCP RST) as soon as data arrives, for 4 s (reset_peer)',
    steps: [{ name: 'reset', type: 'reset_peer', at: '2s', duration: '4s', attributes: { timeout: 0 } }],
  },
  flap: {
    description: 'three 1.5 s blackholes, 5 s apart (timeout toxic: lifting it closes the connections it held)',
    steps: [{ name: 'flap', type: 'timeout', at: '2s', duration: '1.5s', repeat: 3, every: '5s', attributes: { timeout: 0 } }],
  },
  'blackhole-pause': {
    description: 'all traffic held both ways for 5 s, then let through (latency toxic of 1 h: nothing is closed when it ends)',
    steps: [{ name: 'blackhole-pause', type: 'latency', at: '2s', duration: '5s', attributes: { latency: PAUSE_LATENCY_MS, jitter: 0 } }],
  },
  'flap-pause': {
    description: 'three 1.5 s pauses, 5 s apart (latency toxic of 1 h: held traffic resumes, nothing is closed)',
    steps: [{ name: 'flap-pause', type: 'latency', at: '2s', duration: '1.5s', repeat: 3, every: '5s', attributes: { latency: PAUSE_LATENCY_MS, jitter: 0 } }],
  },
  'latency-spike': {
    description: '1.5 s of added latency each way for 5 s (the tunnel slows, ssh should survive)',
    steps: [{ name: 'latency-spike', type: 'latency', at: '2s', duration: '5s', attributes: { latency: 1500, jitter: 0 } }],
  },
  'bandwidth-starve': {
    description: 'bandwidth cut to 1 KB/s each way for 5 s',
    steps: [{ name: 'bandwidth-starve', type: 'bandwidth', at: '2s', duration: '5s', attributes: { rate: 1 } }],
  },
  'slow-close': {
    description: 'closes delayed by 3 s for 5 s (slow_close)',
    steps: [{ name: 'slow-close', type: 'slow_close', at: '2s', duration: '5s', attributes: { delay: 3000 } }],
  },
  'server-restart': {
    description: 'sshd stopped (every session dropped) for 4 s, then started again',
    steps: [{ name: 'server-restart', type: 'server-restart', at: '2s', duration: '4s' }],
  },
  'proxy-down': {
    description: 'the Toxiproxy proxy disabled for 5 s: connections cut, new ones refused',
    steps: [{ name: 'proxy-down', type: 'proxy-down', at: '2s', duration: '5s' }],
  },
  // ServerAlive (1 s x 2) ends the open session ~3 s into each freeze; the ssh started then waits
  // in connect() on the kernel's SYN retries, 1, 2, 3, 4, 5, 7, 11, 19, 35 and 67 s after it began.
  // The first freeze (25 s) outlasts the retry at 19 s, the second (10 s) covers the one at 35 s,
  // so that ssh's next chance is 67 s after it began: ~28 s after the second freeze, past the
  // 12 s this schedule waits. With AUTOSSH_CONNECTTIME=10 an ssh not established within 10 s is
  // restarted, and the fresh one's SYNs come every second or two: back within ~3.5 s of each freeze.
  'stuck-handshake': {
    description: 'flows frozen by nftables for 25 s, then 10 s (open flows dead for good, new connections stall in the TCP handshake); AUTOSSH_CONNECTTIME=10',
    steps: [
      { name: 'freeze', type: 'flow-freeze', at: '2s', duration: '25s' },
      { name: 'freeze-again', type: 'flow-freeze', at: '34s', duration: '10s' },
    ],
    recoveryTimeout: '12s',
    env: { AUTOSSH_CONNECTTIME: '10' },
  },
  // A -R tunnel. A 2 s freeze marks the session's flow dead for good; ServerAlive ends the ssh
  // ~3 s in; the server keeps the session and its -R listener until its ClientAlive (2 s x 2)
  // ends it, ~12-15 s after the freeze began here (OpenSSH 9.2 checks only after a whole interval
  // with nothing to do, and the canary knocking on the -R port postpones checks); until then every
  // reconnect gets "remote port forwarding failed for listen port N". Recovery: the -R port carries
  // the canary's bytes again. Compare 1.4g with and without ExitOnForwardFailure (docs/chaos.md).
  'stale-listener': {
    description: 'a -R tunnel whose session flow is frozen for good after 2 s: the server keeps the stale -R listener until ClientAlive ends it (~12-15 s); AUTOSSH_FORWARDCHECK=1',
    steps: [{ name: 'stale-listener', type: 'flow-freeze', at: '2s', duration: '2s' }],
    forward: 'remote',
    recoveryTimeout: '40s',
    env: { AUTOSSH_FORWARDCHECK: '1' },
  },
  // The supervisors' end of the link down for 45 s: every connect fails at once, so 1.4g's grace
  // waits grow (5 quick tries, then 2, 8, 18, 32 s): its tries come ~3, 5, 13, 31 and 63 s after the
  // link went down, the last one ~18 s after it came back. AUTOSSH_NETWATCH=1 ends the wait when
  // the link (and its route) return.
  'link-flap': {
    description: "the supervisors' end of the link down for 45 s, then up (connects fail at once: grace waits grow); AUTOSSH_NETWATCH=1",
    steps: [{ name: 'link-down', type: 'link-down', at: '2s', duration: '45s' }],
    recoveryTimeout: '40s',
    env: { AUTOSSH_NETWATCH: '1' },
  },
};

export function builtinScheduleNames(): string[] {
  return Object.keys(BUILTIN);
}

export function builtinSchedule(name: string): Schedule | undefined {
  const def = BUILTIN[name];
  return def ? parseSchedule({ name, ...def }) : undefined;
}
