// How long replaying one year of one tunnel takes when an outage hits every 5 minutes
// (105,120 outages). Prints figures; asserts nothing.
import { parseTimeline } from '../sim/timeline/parse.js';
import { replay } from '../sim/replay/run-replay.js';

const YEAR_MS = 365 * 86_400_000;
const EVERY_MS = 5 * 60_000;
const facts = [];
for (let at = EVERY_MS; at < YEAR_MS; at += EVERY_MS) {
  // alternate kinds so every path of the world is exercised
  const kind = (at / EVERY_MS) % 3;
  facts.push(kind === 0 ? { at: `${at}ms`, kind: 'outage', mode: 'blackhole', for: '40s' }
    : kind === 1 ? { at: `${at}ms`, kind: 'outage', mode: 'reset', for: '2s' }
      : { at: `${at}ms`, kind: 'sshCrash', exit: 255 });
}
for (const args of [['-M', '20000', '-N', 'host'], ['-M', '0', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3', '-N', 'host']]) {
  const timeline = parseTimeline({ config: { args, env: { AUTOSSH_POLL: '60' } }, duration: '365d', facts }, 'bench');
  const t0 = performance.now();
  const result = replay(timeline, timeline.config);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`replay-year: ${args.join(' ')} (POLL=60): ${facts.length} outages, ${result.summary.sshStarts} ssh starts, `
    + `${result.decisions.length} decisions, downtime ${(result.summary.downFraction * 100).toFixed(2)}%: ${seconds.toFixed(2)} s wall`);
}
