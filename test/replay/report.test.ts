import { describe, expect, it } from 'vitest';
import { loadTimeline } from '../../sim/timeline/load.js';
import { replayAll } from '../../sim/replay/replay-timeline.js';
import { replayReportHtml } from '../../sim/report/replay-report.js';

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
