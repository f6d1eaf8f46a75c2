// The replay command's work, without the CLI: the timeline's configuration (with --set) and
// each comparison configuration, run on the same facts; a timeline imported from a log is
// checked against the decisions it logged.
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { RunConfig, Timeline } from '../timeline/types.js';
import { checkAgainstLog, type LogCheck } from './check-log.js';
import { applyConfigSpec, ConfigSpecError, withSettings } from './config-spec.js';
import { replay, type ReplayOptions, type ReplayResult } from './run-replay.js';

export type CheckedResult = ReplayResult & { logCheck: LogCheck | null };

export function replayAll(
  timeline: Timeline,
  settings: readonly string[],
  compare: readonly string[],
  options: ReplayOptions = {},
): CheckedResult[] {
  const base = timeline.config;
  const configs = [base, ...compare.map((spec) => applyConfigSpec(base, spec))].map((c) => withSettings(c, settings));
  configs.forEach((config, i) => assertRunnable(config, i === 0 ? 'the timeline\'s configuration' : `--compare "${compare[i - 1]}"`, settings));
  return configs.map((config) => {
    const result = replay(timeline, config, options);
    return { ...result, logCheck: timeline.source ? checkAgainstLog(timeline.source, result, timeline.unknowns) : null };
  });
}

/** A configuration autossh would refuse is bad input, not a 100 % outage. */
export function assertRunnable(config: RunConfig, what: string, settings: readonly string[]): void {
  const parsed = parseCommandLine(config.args, config.env);
  if (parsed.kind === 'run') return;
  const why = parsed.kind === 'error' ? parsed.message : parsed.kind === 'usage' ? 'no destination or monitor port' : 'it only prints its version';
  const given = settings.length > 0 ? ` (with --set ${settings.join(' --set ')})` : '';
  throw new ConfigSpecError(`${what}${given}: autossh refuses it: ${why}`);
}
