// The replay command's work, without the CLI: the timeline's configuration (with --set) and
// each comparison configuration, run on the same facts; a timeline imported from a log is
// checked against the decisions it logged. The work is estimated before anything runs, and a
// command past its bound is refused with the figure (work-estimate.ts).
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { RunConfig, Timeline } from '../timeline/types.js';
import { checkAgainstLog, type LogCheck } from './check-log.js';
import { applyConfigSpec, ConfigSpecError, withSettings } from './config-spec.js';
import { replaySteps, ReplayTooLargeError, type ReplayOptions, type ReplayProgress, type ReplayResult } from './run-replay.js';
import { describeWork, estimateReplayWork, MAX_REPLAY_SSH_STARTS, WARN_REPLAY_SSH_STARTS } from './work-estimate.js';

export type CheckedResult = ReplayResult & { logCheck: LogCheck | null };

/** What a replay command will run, checked before it runs. */
export interface ReplayPlan {
  timeline: Timeline;
  configs: RunConfig[];
  /** the estimate in words when it is large enough to say first (null: not worth saying) */
  warning: string | null;
  options: ReplayOptions;
}

export function planReplay(
  timeline: Timeline,
  settings: readonly string[],
  compare: readonly string[],
  options: ReplayOptions = {},
): ReplayPlan {
  const base = timeline.config;
  const configs = [base, ...compare.map((spec) => applyConfigSpec(base, spec))].map((c) => withSettings(c, settings));
  configs.forEach((config, i) => assertRunnable(config, i === 0 ? 'the timeline\'s configuration' : `--compare "${compare[i - 1]}"`, settings));
  const maxSshStarts = options.maxSshStarts ?? MAX_REPLAY_SSH_STARTS;
  const estimate = estimateReplayWork(timeline, configs);
  if (estimate.sshStarts > maxSshStarts) {
    throw new ReplayTooLargeError(`${timeline.name}: ${describeWork(configs, estimate)}; at most ${maxSshStarts.toLocaleString('en-US')} `
      + 'in one replay command: shorten the timeline (its "duration", or the facts\' "for"), raise AUTOSSH_POLL or set AUTOSSH_MAXSTART');
  }
  const warning = estimate.sshStarts > WARN_REPLAY_SSH_STARTS ? describeWork(configs, estimate) : null;
  return { timeline, configs, warning, options: { ...options, maxSshStarts } };
}

/**
 * Every configuration of the plan, one after another, in slices: yields between slices, returns
 * the results. The bound on ssh starts holds for all of them together.
 */
export function* runPlan(plan: ReplayPlan): Generator<ReplayProgress, CheckedResult[], void> {
  const results: CheckedResult[] = [];
  let startsLeft = plan.options.maxSshStarts ?? MAX_REPLAY_SSH_STARTS;
  for (const config of plan.configs) {
    const result = yield* replaySteps(plan.timeline, config, { ...plan.options, maxSshStarts: startsLeft });
    startsLeft -= result.summary.sshStarts;
    results.push({ ...result, logCheck: plan.timeline.source ? checkAgainstLog(plan.timeline.source, result, plan.timeline.unknowns) : null });
  }
  return results;
}

export function replayAll(
  timeline: Timeline,
  settings: readonly string[],
  compare: readonly string[],
  options: ReplayOptions = {},
): CheckedResult[] {
  const steps = runPlan(planReplay(timeline, settings, compare, options));
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A configuration autossh would refuse is bad input, not a 100 % outage. */
export function assertRunnable(config: RunConfig, what: string, settings: readonly string[]): void {
  const parsed = parseCommandLine(config.args, config.env);
  if (parsed.kind === 'run') return;
  const why = parsed.kind === 'error' ? parsed.message : parsed.kind === 'usage' ? 'no destination or monitor port' : 'it only prints its version';
  const given = settings.length > 0 ? ` (with --set ${settings.join(' --set ')})` : '';
  throw new ConfigSpecError(`${what}${given}: autossh refuses it: ${why}`);
}
