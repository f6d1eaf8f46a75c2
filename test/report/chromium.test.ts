// Every HTML report, rendered in real headless Chromium from real simulator runs (a replay of a
// timeline fixture, the same with --compare, a small fleet) and a recorded chaos run: the page's
// script ran and reported no error, and the plot draws data (bars, lives, markers) on labelled
// axes. Needs `chromium` (scripts/setup.sh installs it); without it this fails, it does not skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_ERROR_ID } from '../../sim/report/svg.js';
import { dumpDom } from './chromium.js';
import { reportPages } from './pages.js';

/** How many elements carry `name` among their classes. */
function countClass(dom: string, name: string): number {
  return [...dom.matchAll(/\sclass="([^"]*)"/g)].filter((m) => m[1]!.split(/\s+/).includes(name)).length;
}

/** The text of every element of class `name` (tick labels, say). */
function textsOf(dom: string, name: string): string[] {
  return [...dom.matchAll(/<(\w+)\s[^>]*class="([^"]*)"[^>]*>([^<]*)</g)].filter((m) => m[2]!.split(/\s+/).includes(name)).map((m) => m[3]!);
}

/** Elements of class `name` drawn with a positive `attr` (a bar 0 px tall draws nothing). */
function drawn(dom: string, name: string, attr: 'width' | 'height'): number {
  return [...dom.matchAll(/<rect\s[^>]*>/g)].map((m) => m[0]).filter((tag) => (/class="([^"]*)"/.exec(tag)?.[1] ?? '').split(/\s+/).includes(name))
    .filter((tag) => Number(new RegExp(`\\s${attr}="([\\d.]+)"`).exec(tag)?.[1] ?? 0) > 0).length;
}

/** The page loaded, its script ran to the end, and no script error was written into it. */
function expectScriptRan(dom: string): void {
  const error = new RegExp(`id="${SCRIPT_ERROR_ID}"[^>]*>([^<]*)`).exec(dom);
  expect(error?.[1] ?? null, 'a script error on the page').toBeNull();
  expect(dom, 'the page\'s script did not run to its end').toMatch(/<body[^>]*data-script="ran"/);
}

/** Every element of class `name` (one tag each) with its numeric attributes. */
function shapes(dom: string, tag: string, name: string): Array<Record<string, number>> {
  return [...dom.matchAll(new RegExp(`<${tag}\\s[^>]*>`, 'g'))].map((m) => m[0])
    .filter((t) => (/class="([^"]*)"/.exec(t)?.[1] ?? '').split(/\s+/).includes(name))
    .map((t) => Object.fromEntries([...t.matchAll(/\s(x|y|width|height|x1|x2|y1|y2)="([-\d.]+)"/g)].map((a) => [a[1]!, Number(a[2])])));
}

const { timeline, compared, fleet, fleetCompared, importedResults, chaos, pages } = reportPages();

const doms: Record<string, string> = {};
beforeAll(async () => {
  // two at a time: the machine has two cores
  const entries = Object.entries({ ...pages, broken: pages.replay.replace('</body>', '<script>null.boom();</script></body>') });
  for (let i = 0; i < entries.length; i += 2) {
    await Promise.all(entries.slice(i, i + 2).map(async ([name, html]) => { doms[name] = await dumpDom(html); }));
  }
});

describe('reports in headless Chromium', () => {
  it('catches a script error on a page: the check below is not blind', () => {
    expect(doms['broken']).toMatch(new RegExp(`id="${SCRIPT_ERROR_ID}"[^>]*>script error: [^<]*null`));
  });

  it('replay: facts, ssh lives and decisions on a wall-clock axis, with the tables', () => {
    const dom = doms['replay']!;
    expectScriptRan(dom);
    expect(drawn(dom, 'fact', 'width')).toBe(timeline.facts.length);
    expect(drawn(dom, 'ssh-life', 'width')).toBeGreaterThan(0);
    expect(countClass(dom, 'decision')).toBeGreaterThan(0);
    const ticks = textsOf(dom, 'tick-label');
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    // the timeline knows its start: the first tick carries the date, the rest the time of day
    expect(ticks[0]).toBe('2024-05-01 18:00:00');
    expect(ticks.slice(1).every((t) => /^\d\d:\d\d:\d\d$/.test(t))).toBe(true);
    expect(countClass(dom, 'legend')).toBe(1);
    expect(dom).toMatch(/<table class="recovery">/);
    expect(dom).toMatch(/<table class="decisions">/);
  });

  it('replay --compare: every configuration on the one axis and in the summary table', () => {
    const dom = doms['compare']!;
    expectScriptRan(dom);
    expect(countClass(dom, 'axis')).toBe(1);
    const summary = /<table class="summary">([\s\S]*?)<\/table>/.exec(dom)![1]!;
    expect(summary.match(/<tr>/g)).toHaveLength(1 + compared.length);
    expect(countClass(dom, 'decision')).toBe(compared.reduce((n, r) => n + r.decisions.length, 0));
    expect(countClass(dom, 'decisions')).toBe(compared.length);
  });

  it('imported incident: the 28 s it lasted fill the axis, and the down band stops where autossh exited on purpose', () => {
    const dom = doms['imported']!;
    expectScriptRan(dom);
    const result = importedResults[0]!;
    // the log's run: 9 starts, then its starts used up at 28 s: exit 0, downtime counted until then
    expect(result.summary.exitAtMs).toBe(28_000);
    expect(result.summary.countedUntilMs).toBe(28_000);
    const [axis] = shapes(dom, 'line', 'axis');
    const [exit] = shapes(dom, 'line', 'exit');
    const widthPx = axis!['x2']! - axis!['x1']!;
    // the exit is near the right end, not lost in a 5-minute tail
    expect((exit!['x1']! - axis!['x1']!) / widthPx).toBeGreaterThan(0.9);
    const down = shapes(dom, 'rect', 'down');
    expect(down).toHaveLength(1);
    expect(down[0]!['x']! + down[0]!['width']!).toBeLessThanOrEqual(exit!['x1']! + 0.1);
    expect(down[0]!['x']! + down[0]!['width']!).toBeGreaterThanOrEqual(exit!['x1']! - 0.1);
    // after the exit: the band that says "not counted", to the axis's end
    const after = shapes(dom, 'rect', 'after-exit');
    expect(after).toHaveLength(1);
    expect(after[0]!['x']!).toBeCloseTo(exit!['x1']!, 0);
    expect(after[0]!['x']! + after[0]!['width']!).toBeCloseTo(axis!['x2']!, 0);
    // the summary table says the same downtime the band draws
    expect(/<table class="summary">[\s\S]*?<td class="n">28s<\/td>/.test(dom)).toBe(true);
    expect(drawn(dom, 'ssh-life', 'width')).toBe(9);
  });

  it('replay: a configuration still running at the end is down (where not working) to the axis\'s end; the axis stops after the last event', () => {
    const dom = doms['replay']!;
    const [axis] = shapes(dom, 'line', 'axis');
    const down = shapes(dom, 'rect', 'down');
    expect(down).toHaveLength(1);
    expect(down[0]!['x']! + down[0]!['width']!).toBeCloseTo(axis!['x2']!, 0);
    expect(shapes(dom, 'rect', 'after-exit')).toHaveLength(0);
    expect(countClass(dom, 'exit')).toBe(0);
  });

  it('fleet --compare: every configuration drawn on the same scales, and one summary row each', () => {
    const dom = doms['fleet-compare']!;
    expectScriptRan(dom);
    const plots = [...dom.matchAll(/<svg [^>]*class="fleet configuration"[^>]*>([\s\S]*?)<\/svg>/g)].map((m) => m[1]!);
    expect(plots).toHaveLength(1 + fleetCompared.length);
    for (const plot of plots) expect(drawn(plot, 'bar', 'height')).toBeGreaterThan(1);
    // one downtime scale: every plot's axis ends at the same label
    const ends = plots.map((plot) => textsOf(plot, 'tick-label').at(-1));
    expect(new Set(ends).size).toBe(1);
    const summary = /<table class="summary">([\s\S]*?)<\/table>/.exec(dom)![1]!;
    expect(summary.match(/<tr>/g)).toHaveLength(2 + fleetCompared.length);
  });

  it('fleet: bars on labelled axes, the three percentile markers, configuration and give-ups', () => {
    const dom = doms['fleet']!;
    expectScriptRan(dom);
    expect(drawn(dom, 'bar', 'height')).toBeGreaterThan(1);
    expect(countClass(dom, 'percentile')).toBe(3);
    expect(textsOf(dom, 'tick-label').length).toBeGreaterThanOrEqual(6);
    expect(dom).toContain('tunnels (count)');
    expect(dom).toContain('AUTOSSH_MAXSTART=3');
    expect(fleet.gaveUp).toBeGreaterThan(0);
    const gaveUp = /<table class="gave-up">([\s\S]*?)<\/table>/.exec(dom)![1]!;
    const perCode = [...gaveUp.matchAll(/<tr><td class="n">\d+<\/td><td class="n">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(perCode.reduce((a, b) => a + b, 0)).toBe(fleet.gaveUp);
    expect(countClass(dom, 'fault-kinds')).toBe(1);
    // the tunnels down the longest, worst first, by their index in the fleet
    const worst = [...(/<table class="worst">([\s\S]*?)<\/table>/.exec(dom)![1]!).matchAll(/<tr><td class="n">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    const byDowntime = [...fleet.downtimesMs.keys()].sort((a, b) => fleet.downtimesMs[b]! - fleet.downtimesMs[a]! || a - b);
    expect(worst).toEqual(byDowntime.slice(0, 10));
  });

  it('chaos: per supervisor every ssh life, its decisions and who noticed; one summary across them', () => {
    const dom = doms['chaos']!;
    expectScriptRan(dom);
    const lives = chaos.supervisors.reduce((n, s) => n + s.sshLives.length, 0);
    expect(drawn(dom, 'ssh', 'width')).toBe(lives);
    // the recorded run logged restarts and grace-time sleeps (2 s, then 8 s) in both supervisors
    expect(countClass(dom, 'restart')).toBeGreaterThan(0);
    expect(drawn(dom, 'wait', 'width')).toBe(4);
    expect(countClass(dom, 'fault')).toBe(chaos.faults.length * chaos.supervisors.length);
    expect(countClass(dom, 'who-noticed')).toBe(chaos.faults.length * chaos.supervisors.length);
    expect(textsOf(dom, 'tick-label').length).toBeGreaterThanOrEqual(4 * chaos.supervisors.length);
    const summary = /<table class="summary">([\s\S]*?)<\/table>/.exec(dom)![1]!;
    expect(summary.match(/<tr>/g)).toHaveLength(1 + chaos.supervisors.length);
  });
});
