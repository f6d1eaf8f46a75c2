// Streamed outputs are the same bytes as the whole-text ones they replace.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../../sim/oracle/scenario.js';
import { simulateScenario, streamScenario } from '../../sim/oracle/run-scenario.js';

const PUBLIC = join(__dirname, '../../../shared/oracle/public');

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
