// What `autossh-lab chaos` prints at the end, and its exit status, from a recorded run
// (test/report/fixtures/chaos-server-restart.json: autossh-ts and 1.4g through a server restart):
// a legend under the table, one line per column, and an answer about the supervisor under test
// alone, so a run whose compared 1.4g fails to recover (what the demo shows) still exits 0.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COLUMN_LEGEND, formatSummary, formatVerdict, underTestRecovered } from '../../lab/chaos/format.js';
import type { ChaosResult } from '../../lab/chaos/result.js';

const recorded = JSON.parse(readFileSync('test/report/fixtures/chaos-server-restart.json', 'utf8')) as ChaosResult;

/** The recorded run, with the given supervisors never recovering from the first fault. */
function withUnrecovered(...supervisors: number[]): ChaosResult {
  return {
    ...recorded,
    supervisors: recorded.supervisors.map((s, k) => (supervisors.includes(k)
      ? { ...s, measurements: s.measurements.map((m, i) => (i === 0 ? { ...m, recoverMs: null } : m)) } : s)),
  };
}

describe('chaos output', () => {
  it('has a legend under the table: one line per column, in the table\'s order, naming the words it prints', () => {
    const text = formatSummary(recorded);
    const lines = text.split('\n');
    const header = lines[0]!.trim().split(/\s{2,}/);
    expect(header).toEqual(COLUMN_LEGEND.map(([name]) => name));
    const at = lines.indexOf('columns:');
    const rowsEnd = lines.indexOf('');
    expect(at).toBe(rowsEnd + 1);
    const legend = lines.slice(at + 1, at + 1 + header.length);
    legend.forEach((line, i) => expect(line.trim().startsWith(header[i]!), line).toBe(true));
    // the words the issue found unexplained are explained where they are printed
    for (const [column, word] of [['then', 'faultEnd 1'], ['then', '[connectTimeExceeded 2]'], ['max rtt', '"-"'], ['ended by', 'supervisorRule'], ['recover', 'NOT RECOVERED']]) {
      expect(legend.find((l) => l.trim().startsWith(column!)), `${column}: ${word}`).toContain(word);
    }
  });

  it('exit status: the supervisor under test alone decides it', () => {
    expect(recorded.supervisors.map((s) => s.label)).toEqual(['autossh-ts', '/usr/lib/autossh/autossh']);
    expect(underTestRecovered(recorded)).toBe(true);
    // only the compared 1.4g fails to recover: 0, and the line says so
    expect(underTestRecovered(withUnrecovered(1))).toBe(true);
    expect(formatVerdict(withUnrecovered(1))).toBe('autossh-ts, the supervisor under test, recovered from every fault: exit status 0 '
      + '(the compared: /usr/lib/autossh/autossh did not recover from 1. server-restart; they do not change the exit status)\n');
    // the one under test fails: 1, whatever the compared did
    expect(underTestRecovered(withUnrecovered(0))).toBe(false);
    expect(underTestRecovered(withUnrecovered(0, 1))).toBe(false);
    expect(formatVerdict(withUnrecovered(0))).toMatch(/^autossh-ts, the supervisor under test, did not recover from 1\. server-restart: exit status 1 \(the compared: \/usr\/lib\/autossh\/autossh recovered from every fault/);
    expect(formatVerdict({ ...recorded, supervisors: recorded.supervisors.slice(0, 1) })).toBe('autossh-ts, the supervisor under test, recovered from every fault: exit status 0\n');
  });
});
