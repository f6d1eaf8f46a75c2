// The built-in schedules: one fault each (flap: several short ones), 2 s after the tunnel is up,
// 4-6 s long, so a run takes about 15 s. Written in the file format, so each one doubles as an
// example (docs/chaos.md lists them).
import { parseSchedule } from './parse.js';
import type { Schedule } from './types.js';

const BUILTIN: Record<string, { description: string; steps: unknown[] }> = {
  blackhole: {
    description: 'all traffic silently dropped both ways for 5 s (timeout toxic, timeout 0)',
    steps: [{ name: 'blackhole', type: 'timeout', at: '2s', duration: '5s', attributes: { timeout: 0 } }],
  },
  reset: {
    description: 'every connection reset (TCP RST) as soon as data arrives, for 4 s (reset_peer)',
    steps: [{ name: 'reset', type: 'reset_peer', at: '2s', duration: '4s', attributes: { timeout: 0 } }],
  },
  flap: {
    description: 'three 1.5 s blackholes, 5 s apart',
    steps: [{ name: 'flap', type: 'timeout', at: '2s', duration: '1.5s', repeat: 3, every: '5s', attributes: { timeout: 0 } }],
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
};

export function builtinScheduleNames(): string[] {
  return Object.keys(BUILTIN);
}

export function builtinSchedule(name: string): Schedule | undefined {
  const def = BUILTIN[name];
  return def ? parseSchedule({ name, ...def }) : undefined;
}
