// The same real 1.4g log as journald would hand it over (`journalctl -o json`, `-o short-iso`)
// and as classic syslog: each imports to the same facts and replays to the same decisions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logToTimeline } from '../../sim/import/log-to-timeline.js';
import { parseLogLines } from '../../sim/import/log-lines.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';

const LOGFILE = readFileSync('test/fixtures/logs/gate0_every2s_maxstart5_info.log', 'utf8').trimEnd().split('\n');
const parts = LOGFILE.map((l) => {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}:\d{2}:\d{2}) autossh\[(\d+)\]: (.*)$/.exec(l)!;
  return { iso: `${m[1]}-${m[2]}-${m[3]}T${m[4]}`, pid: m[5]!, message: m[6]! };
});

function replayed(text: string, year?: number) {
  const imported = logToTimeline(text, { name: 'x', syslogYear: year });
  const timeline = parseTimeline(imported.timeline, 'x');
  return { imported, result: replayAll(timeline, [], [])[0]! };
}

describe('log sources', () => {
  it('journalctl -o json, other programs\' entries among them', () => {
    const text = parts.flatMap((p, i) => [
      JSON.stringify({ __REALTIME_TIMESTAMP: String(Date.parse(`${p.iso}Z`) * 1000 + 250_000), _PID: p.pid, SYSLOG_IDENTIFIER: 'autossh', MESSAGE: p.message }),
      JSON.stringify({ __REALTIME_TIMESTAMP: String(Date.parse(`${p.iso}Z`) * 1000 + 250_001 + i), _PID: '1', SYSLOG_IDENTIFIER: 'systemd', MESSAGE: 'Started session.' }),
    ]).join('\n');
    const { imported, result } = replayed(text);
    expect(imported.lines).toBe(LOGFILE.length);
    expect(result.summary.sshStarts).toBe(5);
    expect(result.logCheck!.divergence).toBeNull();
  });

  it('journalctl -o short-iso (+0000) and RFC 3339 (+00:00)', () => {
    for (const zone of ['+0000', '+00:00']) {
      const { result } = replayed(parts.map((p) => `${p.iso}${zone} box autossh[${p.pid}]: ${p.message}`).join('\n'));
      expect(result.summary.sshStarts).toBe(5);
      expect(result.logCheck!.divergence).toBeNull();
    }
  });

  it('classic syslog: --year, and a log running into January moves on a year', () => {
    const text = ['Dec 31 23:59:59 box autossh[10]: starting ssh (count 1)', 'Jan  1 00:00:01 box autossh[10]: ssh exited with error status 255; restarting ssh'].join('\n');
    const lines = parseLogLines('x', text, 2024).lines;
    expect(lines.map((l) => new Date(l.epochMs).toISOString())).toEqual(['2024-12-31T23:59:59.000Z', '2025-01-01T00:00:01.000Z']);
  });

  it("autossh-ts's JSON lines (AUTOSSH_LOGFORMAT=json) and the daemon's tunnel prefix: the first tunnel that starts ssh", () => {
    // tunnel "web" logs too, after "db" started its first ssh
    const web = (i: number): boolean => i === 2;
    const json = parts.flatMap((p, i) => [
      JSON.stringify({ time: `${p.iso}.${String(100 + i).padStart(3, '0')}Z`, level: 'info', tunnel: 'db', message: p.message }),
      ...(web(i) ? [JSON.stringify({ time: `${p.iso}.${String(100 + i).padStart(3, '0')}Z`, level: 'info', tunnel: 'web', message: 'starting ssh (count 1)' })] : []),
    ]).join('\n');
    const text = parts.flatMap((p, i) => [
      `${p.iso.replace(/-/g, '/').replace('T', ' ')} autossh-ts[99]: db: ${p.message}`,
      ...(web(i) ? [`${p.iso.replace(/-/g, '/').replace('T', ' ')} autossh-ts[99]: web: starting ssh (count 1)`] : []),
    ]).join('\n');
    for (const log of [json, text]) {
      const { imported, result } = replayed(log);
      expect(imported.lines).toBe(LOGFILE.length);
      expect(imported.unknowns.join('\n')).toMatch(/only the first \(tunnel db/);
      expect(result.summary.sshStarts).toBe(5);
      expect(result.logCheck!.divergence).toBeNull();
    }
  });

  it('refuses an autossh-ts JSON line whose time is not a time, naming the line', () => {
    expect(() => logToTimeline('{"time":"yesterday","level":"info","message":"starting ssh (count 1)"}', { name: 'j.log' }))
      .toThrow('j.log: line 1: no such date or time');
  });
});
