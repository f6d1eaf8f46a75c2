// Logs recorded from the REAL autossh 1.4g (by /work/shared/oracle/run-scenario, Debian's
// /usr/lib/autossh/autossh, fake ssh): imported, then replayed with the logged configuration,
// they must give the same decisions: same ssh starts, same restarts and why, same exit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logToTimeline } from '../../sim/import/log-to-timeline.js';
import { parseLogLines } from '../../sim/import/log-lines.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { replay } from '../../sim/replay/run-replay.js';

const KEY = /^(starting ssh|ssh exited|port down|signalled to kill and restart ssh|received signal to exit|max start count|exceeded maximum time)/;

const FIXTURES: Array<{ log: string; args: string[]; env: Record<string, string> }> = [
  { log: 'restart_exit_codes', args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_GATETIME: '2' } },
  { log: 'sigusr1_restart', args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_GATETIME: '2', AUTOSSH_POLL: '30' } },
  { log: 'sigterm_exit', args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_GATETIME: '2' } },
  { log: 'gate_exit255_fast', args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_GATETIME: '5' } },
  { log: 'first_killed_by_signal_in_gate', args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_GATETIME: '5' } },
  { log: 'maxstart3_failures', args: ['-M', '0', '-N', 'host'], env: { AUTOSSH_GATETIME: '2', AUTOSSH_MAXSTART: '3' } },
  { log: 'monitor_blackhole_later', args: ['-M', '20000', '-N', 'host'], env: { AUTOSSH_GATETIME: '2', AUTOSSH_POLL: '6' } },
];

describe('import -> replay reproduces real autossh 1.4g logs', () => {
  for (const f of FIXTURES) {
    it(f.log, () => {
      const text = readFileSync(`test/fixtures/autossh-logs/${f.log}.log`, 'utf8');
      const logged = parseLogLines(f.log, text).lines;
      const supervisorPid = logged.find((l) => l.message.startsWith('starting ssh'))!.pid;
      const loggedKey = logged.filter((l) => l.pid === supervisorPid && KEY.test(l.message));
      const t0 = logged[0]!.epochMs;

      const settings = Object.entries(f.env).map(([k, v]) => `${k}=${v}`);
      const imported = logToTimeline(text, { name: f.log, args: f.args, settings });
      const timeline = parseTimeline(imported.timeline, f.log);
      const result = replay(timeline, timeline.config);
      const replayedKey = result.logs.filter((l) => KEY.test(l.message));

      expect(replayedKey.map((l) => l.message)).toEqual(loggedKey.map((l) => l.message));
      // times agree within the log's 1 s resolution (and 1.4g's own 1 s reaping)
      replayedKey.forEach((l, i) => expect(Math.abs(l.atMs - (loggedKey[i]!.epochMs - t0))).toBeLessThanOrEqual(1500));
      const starts = loggedKey.filter((l) => l.message.startsWith('starting ssh')).length;
      expect(result.summary.sshStarts).toBe(starts);
      expect(imported.unknowns.length).toBeGreaterThan(0);
    });
  }

  it('reads syslog and RFC 3339 lines, skips others, and says what it could not infer', () => {
    const text = [
      'May  1 03:00:00 box autossh[10]: starting ssh (count 1)',
      'garbage',
      '2024-05-01T03:00:09.500Z box autossh[10]: ssh exited with error status 255; restarting ssh',
    ].join('\n');
    const parsed = parseLogLines('x', text, 2024);
    expect(parsed.lines.map((l) => l.epochMs)).toEqual([Date.UTC(2024, 4, 1, 3), Date.UTC(2024, 4, 1, 3, 0, 9, 500)]);
    expect(parsed.skipped).toBe(1);
    const imported = logToTimeline(text, { name: 'x', syslogYear: 2024 });
    expect(imported.unknowns.join('\n')).toMatch(/ssh's own arguments/);
    expect((imported.timeline.facts as unknown[])).toHaveLength(1);
  });
});
