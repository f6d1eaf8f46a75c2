// How long replaying one year of one tunnel takes when an outage hits every 5 minutes
// (105,120 outages). Prints figures; asserts nothing. bench/machine-costs.ts prints the first
// configuration's figure beside its goal.
import { fileURLToPath } from 'node:url';
import { parseTimeline } from '../sim/timeline/parse.js';
import { replay } from '../sim/replay/run-replay.js';
import { writeReplayJson, writeTrace } from '../sim/replay/format.js';

const YEAR_MS = 365 * 86_400_000;
const EVERY_MS = 5 * 60_000;

export const REPLAY_YEAR_CONFIGS = [['-M', '20000', '-N', 'host'], ['-M', '0', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3', '-N', 'host']];

function yearFacts(): unknown[] {
  const facts = [];
  for (let at = EVERY_MS; at < YEAR_MS; at += EVERY_MS) {
    // alternate kinds so every path of the world is exercised
    const kind = (at / EVERY_MS) % 3;
    facts.push(kind === 0 ? { at: `${at}ms`, kind: 'outage', mode: 'blackhole', for: '40s' }
      : kind === 1 ? { at: `${at}ms`, kind: 'outage', mode: 'reset', for: '2s' }
        : { at: `${at}ms`, kind: 'sshCrash', exit: 255 });
  }
  return facts;
}

/** One year replayed, its trace and JSON formatted piece by piece as the command streams them: seconds and a line. */
export function replayYear(args: string[]): { seconds: number; line: string } {
  const facts = yearFacts();
  const t0 = performance.now();
  const timeline = parseTimeline({ config: { args, env: { AUTOSSH_POLL: '60' } }, duration: '365d', facts }, 'bench');
  const result = replay(timeline, timeline.config);
  let bytes = 0;
  writeTrace(timeline, result, (chunk) => void (bytes += chunk.length));
  writeReplayJson(timeline, [result], (chunk) => void (bytes += chunk.length));
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    line: `replay-year: ${args.join(' ')} (POLL=60): ${facts.length} outages, ${result.summary.sshStarts} ssh starts, `
      + `${result.decisions.length} decisions, downtime ${(result.summary.downFraction * 100).toFixed(2)}%, `
      + `${(bytes / 1e6).toFixed(0)} MB of trace and JSON: ${seconds.toFixed(2)} s wall`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const args of REPLAY_YEAR_CONFIGS) console.log(replayYear(args).line);
}
