// Streamed outputs are the same bytes as the whole-text ones they replace.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../../sim/oracle/scenario.js';
import { simulateScenario, streamScenario } from '../../sim/oracle/run-scenario.js';

// the oracle's public corpus, carried in the repository (test/fixtures/oracle/README.md)
const PUBLIC = join(__dirname, '../fixtures/oracle');

function streamed(scenario: Parameters<typeof streamScenario>[0]): string {
  const pieces: string[] = [];
  streamScenario(scenario, (chunk) => pieces.push(chunk));
  return pieces.join('');
}

describe('a streamed scenario trace', () => {
  const files = readdirSync(PUBLIC).filter((f) => f.endsWith('.scenario.json'));
  it.each(files)('%s: the same bytes as JSON.stringify of the trace', (file) => {
    const scenario = loadScenario(join(PUBLIC, file));
    expect(streamed(scenario)).toBe(`${JSON.stringify(simulateScenario(scenario), null, 1)}\n`);
  });
  it('with no events, with a description, with nested fields', () => {
    for (const raw of [
      { name: 'v', args: ['-V'] },
      { name: 'd', description: 'restarts', args: ['-M', '0', '-N', 'host'], ssh: [{ exit: 255, after: 5 }], cap: 60 },
    ]) {
      const scenario = parseScenario(raw, 'test');
      expect(streamed(scenario)).toBe(`${JSON.stringify(simulateScenario(scenario), null, 1)}\n`);
    }
  });
});

describe('streamed replay outputs', () => {
  it('the trace and the JSON are the same bytes as formatTrace and replayJson', async () => {
    const { loadTimeline } = await import('../../sim/timeline/load.js');
    const { replayAll } = await import('../../sim/replay/replay-timeline.js');
    const { formatTrace, replayJson, writeReplayJson, writeTrace } = await import('../../sim/replay/format.js');
    const t = loadTimeline('test/fixtures/timelines/wifi-evening.json');
    const results = replayAll(t, [], ['-M 0 -o ServerAliveInterval=15 -o ServerAliveCountMax=3', 'AUTOSSH_POLL=60']);
    for (const result of results) {
      const pieces: string[] = [];
      writeTrace(t, result, (chunk) => pieces.push(chunk));
      expect(pieces.join('')).toBe(formatTrace(t, result));
    }
    const pieces: string[] = [];
    writeReplayJson(t, results, (chunk) => pieces.push(chunk));
    expect(pieces.join('')).toBe(replayJson(t, results));
  });
  it('writeJson is JSON.stringify(value, null, 1) for any plain data', async () => {
    const fc = await import('fast-check');
    const { writeJson } = await import('../../sim/replay/stream-text.js');
    fc.assert(fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 6 }), (value, maxDepth) => {
      const pieces: string[] = [];
      writeJson(value, (chunk) => pieces.push(chunk), maxDepth);
      return pieces.join('') === JSON.stringify(value, null, 1);
    }), { numRuns: 300 });
    const pieces: string[] = [];
    const odd = { a: undefined, b: [undefined, () => 1], c: {}, d: [], e: 'x\ny', f: -0, g: NaN };
    writeJson(odd, (chunk) => pieces.push(chunk));
    expect(pieces.join('')).toBe(JSON.stringify(odd, null, 1));
  });
});
