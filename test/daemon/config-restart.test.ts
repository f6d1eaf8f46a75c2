// The restart policy's keys in the daemon's file: defaults, [defaults] under each tunnel, a
// tunnel's own over both, and every bad value refused at its line.
import { describe, expect, it } from 'vitest';
import { parseDaemonConfig } from '../../src/daemon/config/parse.js';
import type { DaemonConfig } from '../../src/daemon/config/types.js';
import { configErrorOf } from '../support/daemon-config.js';
import { DEFAULT_RESTART_POLICY } from '../../src/daemon/restart-policy.js';

const FILE = 'tunnels.toml';
const parse = (text: string): DaemonConfig => parseDaemonConfig(text, FILE);
const lines = (...rows: string[]): string => `${rows.join('\n')}\n`;
const tunnel = (name: string, ...more: string[]): string[] => ['[[tunnel]]', `name = "${name}"`, 'args = "-M 0 -N host"', ...more];

const errorOf = (text: string): string => configErrorOf(() => parse(text));

describe('restart policy keys', () => {
  it('default to restart = "always", 5 s, 5 starts in 60 s, waits up to 300 s', () => {
    expect(DEFAULT_RESTART_POLICY).toEqual({ mode: 'always', restartMs: 5_000, startLimitBurst: 5, startLimitIntervalMs: 60_000, maxDelayMs: 300_000 });
    expect(parse(lines(...tunnel('db'))).tunnels[0]!.restart).toEqual(DEFAULT_RESTART_POLICY);
  });

  it('[defaults] reaches every tunnel, a tunnel\'s own key wins; seconds may have a fraction', () => {
    const config = parse(lines(
      '[defaults]',
      'restart = "on-failure"',
      'restart_sec = 2',
      'start_limit_burst = 3',
      ...tunnel('db'),
      ...tunnel('web', 'restart = "no"', 'restart_sec = 0.5', 'start_limit_interval_sec = 0', 'restart_max_delay_sec = 30'),
    ));
    expect(config.tunnels.map((t) => t.restart)).toEqual([
      { mode: 'on-failure', restartMs: 2_000, startLimitBurst: 3, startLimitIntervalMs: 60_000, maxDelayMs: 300_000 },
      { mode: 'no', restartMs: 500, startLimitBurst: 3, startLimitIntervalMs: 0, maxDelayMs: 30_000 },
    ]);
  });

  it('is no part of the definition key: a reload changes a policy without restarting ssh', () => {
    const a = parse(lines(...tunnel('db'))).tunnels[0]!;
    const b = parse(lines(...tunnel('db', 'restart_sec = 9'))).tunnels[0]!;
    expect(b.definitionKey).toBe(a.definitionKey);
    expect(b.restart).not.toEqual(a.restart);
  });

  it.each([
    ['an unknown mode', lines(...tunnel('db', 'restart = "sometimes"')),
      'tunnels.toml:4: tunnel "db": restart must be "always", "on-failure" or "no", not "sometimes"'],
    ['a mode that is not a string', lines('[defaults]', 'restart = true', ...tunnel('db')),
      'tunnels.toml:2: [defaults]: restart must be "always", "on-failure" or "no", not a boolean'],
    ['restart_sec as a string', lines(...tunnel('db', 'restart_sec = "5s"')),
      'tunnels.toml:4: tunnel "db": restart_sec must be a number of seconds, not a string'],
    ['restart_sec = 0', lines(...tunnel('db', 'restart_sec = 0')),
      'tunnels.toml:4: tunnel "db": restart_sec = 0 is out of range: 0.1 to 86400 seconds'],
    ['a burst with a fraction', lines(...tunnel('db', 'start_limit_burst = 2.5')),
      'tunnels.toml:4: tunnel "db": start_limit_burst must be a whole number, not a number with a fraction'],
    ['a burst of 0', lines('[defaults]', 'start_limit_burst = 0', ...tunnel('db')),
      'tunnels.toml:2: [defaults]: start_limit_burst = 0 is out of range: 1 to 10000 starts'],
    ['a negative interval', lines(...tunnel('db', 'start_limit_interval_sec = -1')),
      'tunnels.toml:4: tunnel "db": start_limit_interval_sec = -1 is out of range: 0 to 86400 seconds (0 turns the start limit off)'],
    ['a cap past a day', lines(...tunnel('db', 'restart_max_delay_sec = 100000')),
      'tunnels.toml:4: tunnel "db": restart_max_delay_sec = 100000 is out of range: 0.1 to 86400 seconds'],
    ['a cap below restart_sec', lines('[defaults]', 'restart_sec = 60', ...tunnel('db', 'restart_max_delay_sec = 30')),
      'tunnels.toml:6: tunnel "db": restart_max_delay_sec (30) is shorter than restart_sec (60): the longest wait cannot be shorter than the first'],
    ['restart_sec past the default cap', lines(...tunnel('db', 'restart_sec = 600')),
      'tunnels.toml:4: tunnel "db": restart_max_delay_sec (300) is shorter than restart_sec (600): the longest wait cannot be shorter than the first'],
  ])('refuses %s', (_, text, message) => {
    expect(errorOf(text)).toBe(message);
  });
});
