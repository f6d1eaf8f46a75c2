// The replay command's work, without the CLI: the timeline's configuration (with --set) and
// each comparison configuration, run on the same facts.
import type { Timeline } from '../timeline/types.js';
import { applyConfigSpec, withSettings } from './config-spec.js';
import { replay, type ReplayOptions, type ReplayResult } from './run-replay.js';

export function replayAll(
  timeline: Timeline,
  settings: readonly string[],
  compare: readonly string[],
  options: ReplayOptions = {},
): ReplayResult[] {
  const base = timeline.config;
  const configs = [base, ...compare.map((spec) => applyConfigSpec(base, spec))].map((c) => withSettings(c, settings));
  return configs.map((config) => replay(timeline, config, options));
}
