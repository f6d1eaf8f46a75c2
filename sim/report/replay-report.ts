import type { Timeline } from '../timeline/types.js';
import type { ReplayResult } from '../replay/run-replay.js';
export function replayReportHtml(timeline: Timeline, results: readonly ReplayResult[]): string {
  return `<!doctype html><title>${timeline.name}</title><svg xmlns="http://www.w3.org/2000/svg"></svg>${results.length}\n`;
}
