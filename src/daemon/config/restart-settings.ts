// The restart policy's keys, in [defaults] and in each [[tunnel]] (systemd's names, in TOML's
// snake case): restart, restart_sec, start_limit_burst, start_limit_interval_sec,
// restart_max_delay_sec. A tunnel's own key wins over [defaults]', which wins over the daemon's
// default (../restart-policy.ts, DEFAULT_RESTART_POLICY). Each value is checked at its line.
import type { KeyPath } from './key-lines.js';
import type { Locator } from './locator.js';
import { DEFAULT_RESTART_POLICY, RESTART_MODES, type RestartMode, type RestartPolicy } from '../restart-policy.js';

export const RESTART_KEYS = ['restart', 'restart_sec', 'start_limit_burst', 'start_limit_interval_sec', 'restart_max_delay_sec'] as const;
type RestartKey = (typeof RESTART_KEYS)[number];

/** What one table says; each key with the path it was written at (for a message's line). */
export type RestartSettings = Partial<Record<RestartKey, { value: number | RestartMode; path: KeyPath }>>;

/** a day: longer is no restart policy, and Node's timers stay well inside their range */
const MAX_SECONDS = 86_400;
/** a restart loop pauses between runs: at least this long */
const MIN_RESTART_SEC = 0.1;
const MAX_BURST = 10_000;

/** the kind of a value, for a message: "a string", "an array", ... */
type KindOf = (value: unknown) => string;

/** The restart keys of one table (`where`: "[defaults]", "tunnel \"db\""); other keys are not looked at. */
export function readRestartSettings(table: Record<string, unknown>, where: string, path: KeyPath, at: Locator, kindOf: KindOf): RestartSettings {
  const settings: RestartSettings = {};
  for (const key of RESTART_KEYS) {
    const value = table[key];
    if (value === undefined) continue;
    const keyPath = [...path, key];
    settings[key] = { value: key === 'restart' ? readMode(value, where, keyPath, at, kindOf) : readNumber(key, value, where, keyPath, at, kindOf), path: keyPath };
  }
  return settings;
}

function readMode(value: unknown, where: string, path: KeyPath, at: Locator, kindOf: KindOf): RestartMode {
  if (typeof value === 'string' && (RESTART_MODES as readonly string[]).includes(value)) return value as RestartMode;
  const shown = typeof value === 'string' ? `"${value}"` : kindOf(value);
  return at.fail(path, `${where}: restart must be "always", "on-failure" or "no", not ${shown}`);
}

function readNumber(key: Exclude<RestartKey, 'restart'>, value: unknown, where: string, path: KeyPath, at: Locator, kindOf: KindOf): number {
  const whole = key === 'start_limit_burst';
  if (typeof value !== 'number' || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    at.fail(path, `${where}: ${key} must be ${whole ? 'a whole number' : 'a number of seconds'}, not ${kindOf(value)}`);
  }
  const [min, max, unit] = whole
    ? [1, MAX_BURST, 'starts']
    : key === 'start_limit_interval_sec'
      ? [0, MAX_SECONDS, 'seconds (0 turns the start limit off)']
      : [MIN_RESTART_SEC, MAX_SECONDS, 'seconds'];
  if (value < min || value > max) at.fail(path, `${where}: ${key} = ${value} is out of range: ${min} to ${max} ${unit}`);
  return value;
}

/** The tunnel's policy: its own keys over [defaults]' over the daemon's defaults. */
export function restartPolicyOf(defaults: RestartSettings, own: RestartSettings, name: string, at: Locator): RestartPolicy {
  const pick = (key: RestartKey) => own[key] ?? defaults[key];
  const ms = (key: Exclude<RestartKey, 'restart'>, fallbackMs: number): number => {
    const setting = pick(key);
    return setting === undefined ? fallbackMs : Math.round((setting.value as number) * 1000);
  };
  const policy: RestartPolicy = {
    mode: (pick('restart')?.value as RestartMode | undefined) ?? DEFAULT_RESTART_POLICY.mode,
    restartMs: ms('restart_sec', DEFAULT_RESTART_POLICY.restartMs),
    startLimitBurst: (pick('start_limit_burst')?.value as number | undefined) ?? DEFAULT_RESTART_POLICY.startLimitBurst,
    startLimitIntervalMs: ms('start_limit_interval_sec', DEFAULT_RESTART_POLICY.startLimitIntervalMs),
    maxDelayMs: ms('restart_max_delay_sec', DEFAULT_RESTART_POLICY.maxDelayMs),
  };
  if (policy.maxDelayMs < policy.restartMs) {
    // said where one of the two was written (the max's line if the file wrote it)
    const where = pick('restart_max_delay_sec') ?? pick('restart_sec')!;
    at.fail(
      where.path,
      `tunnel "${name}": restart_max_delay_sec (${policy.maxDelayMs / 1000}) is shorter than restart_sec (${policy.restartMs / 1000}): ` +
        'the longest wait cannot be shorter than the first',
    );
  }
  return policy;
}
