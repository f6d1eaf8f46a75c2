import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logToTimeline } from '../../sim/import/log-to-timeline.js';
import { parseTimeline } from '../../sim/timeline/parse.js';
import { loadTimeline } from '../../sim/timeline/load.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';
import { incidentEndMs, replayReportHtml } from '../../sim/report/replay-report.js';

describe('HTML report', () => {
  it('is self-contained with one row per configuration in an inline SVG', () => {
    const t = loadTimeline('test/fixtures/timelines/wifi-evening.json');
    const results = replayAll(t, [], ['AUTOSSH_POLL=60']);
    const html = replayReportHtml(t, results);
    expect(html).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // its one inline script reports script errors into the page; nothing is fetched
    expect(html).not.toMatch(/\ssrc=|\shref=/);
    expect(html).toContain('>AUTOSSH_POLL=60<');
    expect(html.match(/class="decision"/g)!.length).toBe(results[0]!.decisions.length + results[1]!.decisions.length);
    expect(replayReportHtml(t, results)).toBe(html);
  });
});

describe('the report\'s axis spans the incident', () => {
  const log = 'test/fixtures/logs/gate0_maxstart9_grace_info.log';
  const imported = logToTimeline(readFileSync(log, 'utf8'), { name: 'grace', file: log });
  const timeline = parseTimeline(imported.timeline, log);
  const results = replayAll(timeline, [], []);
  const lastTickMs = (html: string): number => {
    // tick labels are wall-clock times of the log's day: the last one, as ms after the start
    const labels = [...html.matchAll(/class="tick-label"[^>]*>([^<]*)</g)].map((m) => m[1]!);
    const [h, m, s] = labels.at(-1)!.slice(-8).split(':').map(Number);
    const start = new Date(timeline.startEpochMs);
    return ((h! - start.getUTCHours()) * 3600 + (m! - start.getUTCMinutes()) * 60 + (s! - start.getUTCSeconds())) * 1000;
  };

  it('an imported log: to autossh\'s exit and a little more, not the import\'s 5-minute tail', () => {
    expect(timeline.durationMs).toBe(28_000 + 5 * 60_000);
    // 5 % more, on a whole second
    expect(incidentEndMs(timeline, results)).toBe(30_000);
    const html = replayReportHtml(timeline, results);
    expect(lastTickMs(html)).toBeLessThanOrEqual(30_000);
    expect(html).toContain('The plot shows the incident, its first 30s');
  });

  it('--report-tail (wholeAxis) draws the whole replayed time', () => {
    const html = replayReportHtml(timeline, results, { wholeAxis: true });
    expect(lastTickMs(html)).toBeGreaterThanOrEqual(5 * 60_000);
    expect(html).not.toContain('The plot shows the incident');
    const dir = mkdtempSync(join(tmpdir(), 'report-tail-'));
    try {
      writeFileSync(join(dir, 't.json'), JSON.stringify(imported.timeline));
      for (const [flag, whole] of [[[], false], [['--report-tail'], true]] as const) {
        const run = spawnSync(process.execPath, ['dist/lab/cli/lab.js', 'replay', join(dir, 't.json'), '--quiet', '--report', join(dir, 'r.html'), ...flag], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        expect(lastTickMs(readFileSync(join(dir, 'r.html'), 'utf8')) > 60_000).toBe(whole);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a timeline where nothing happens is drawn whole', () => {
    const quiet = parseTimeline({ format: 'autossh-timeline/1', name: 'quiet', duration: '10m', config: { args: ['-M', '0', 'host'], env: {} }, facts: [] }, 'quiet');
    const quietResults = replayAll(quiet, [], []);
    expect(incidentEndMs(quiet, quietResults)).toBeLessThanOrEqual(quiet.durationMs);
    expect(incidentEndMs({ ...quiet, facts: [] }, [])).toBe(quiet.durationMs);
  });
});
