// /metrics is a view of the trackers: every value read back through a strict reader of the
// text format (test/support/prometheus-text.ts) equals what the trackers and the supervisors'
// effects say; a tunnel removed by a reload has no series left; the registry is the daemon's own.
import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createDaemonMetrics, type DaemonMetrics } from '../../src/daemon/metrics.js';
import type { TunnelTracker } from '../../src/daemon/status-types.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { parseExposition, samplesOf, valueOf, type Family } from '../support/prometheus-text.js';
import { HARSH_WORLD, configOf, handTunnel, randomTunnel, type Tracked } from '../support/tracked-tunnel.js';

const MAX_CALLBACKS = 100_000;

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function threeTunnels(clock: VirtualClock): Array<Tracked<unknown>> {
  const env = { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '300', AUTOSSH_FIRST_POLL: '10', AUTOSSH_KILLTIME: '5' };
  return [
    randomTunnel('db', configOf(['-M', '20000', 'host'], env), clock, 11, { ...HARSH_WORLD, spawnFailChance: 0, exitStatuses: [255, 1, 2] }),
    randomTunnel('web', configOf(['-M', '0', 'host'], env), clock, 12, { ...HARSH_WORLD, meanRunMs: 3_000, spawnFailChance: 0, exitStatuses: [255] }),
    randomTunnel('cache', configOf(['-M', '20000', 'host'], env), clock, 13, { ...HARSH_WORLD, spawnFailChance: 0, exitStatuses: [255, 1, 2] }),
  ];
}

/** every tunnel's series in the exposition agree with its tracker and its supervisor's effects */
/** Three tunnels run for two minutes, read by metrics through `fleet.running` (a reload changes it). */
function twoMinutesOfThree(): { clock: VirtualClock; fleet: { running: Array<Tracked<unknown>> }; metrics: DaemonMetrics } {
  const clock = new VirtualClock();
  const fleet = { running: threeTunnels(clock) };
  const metrics = createDaemonMetrics({ trackers: () => fleet.running.map((t) => t.tracker) });
  clock.runUntil(120_000, MAX_CALLBACKS);
  return { clock, fleet, metrics };
}

function expectAgreement(families: Map<string, Family>, tunnels: ReadonlyArray<Tracked<unknown>>): void {
  expect(valueOf(families, 'autossh_tunnels')).toBe(tunnels.length);
  for (const t of tunnels) {
    const tunnel = t.name;
    const report = t.tracker.report();
    const counts = t.tracker.counts();
    expect(valueOf(families, 'autossh_tunnel_up', { tunnel }), tunnel).toBe(report.up ? 1 : 0);
    expect(valueOf(families, 'autossh_backoff_seconds', { tunnel }), tunnel).toBe(report.backoffSeconds ?? 0);
    const spawns = t.effects.filter((e) => e.type === 'spawnSsh').length;
    expect(valueOf(families, 'autossh_ssh_starts_total', { tunnel }), tunnel).toBe(spawns);
    const exits = samplesOf(families, 'autossh_ssh_exits_total', { tunnel });
    expect(sum(exits.map((s) => s.value)), tunnel).toBe(t.ends.length);
    for (const s of exits) expect(s.value, `${tunnel} ${s.labels.reason}`).toBe(counts.exits[s.labels.reason as keyof typeof counts.exits]);
    const decisions = samplesOf(families, 'autossh_decisions_total', { tunnel });
    const ruleEffects = t.effects.flatMap((e) => (e.type === 'decision' ? [e.rule] : []));
    expect(sum(decisions.map((s) => s.value)), tunnel).toBe(ruleEffects.length);
    for (const s of decisions) expect(s.value, `${tunnel} ${s.labels.rule}`).toBe(ruleEffects.filter((r) => r === s.labels.rule).length);
  }
}

describe('the daemon metrics', () => {
  it('say what the trackers say, scrape after scrape, in the strict text format', async () => {
    const clock = new VirtualClock();
    const tunnels = threeTunnels(clock);
    const metrics = createDaemonMetrics({ trackers: () => tunnels.map((t) => t.tracker) });
    let sawBackoff = false;
    let sawDown = false;
    for (let atMs = 0; atMs <= 300_000; atMs += 4_700) {
      clock.runUntil(atMs, MAX_CALLBACKS);
      const families = parseExposition(await metrics.text());
      expectAgreement(families, tunnels);
      sawBackoff ||= samplesOf(families, 'autossh_backoff_seconds').some((s) => s.value > 0);
      sawDown ||= samplesOf(families, 'autossh_tunnel_up').some((s) => s.value === 0);
    }
    expect(sawBackoff && sawDown).toBe(true);
    const families = parseExposition(await metrics.text());
    expect(families.get('autossh_ssh_starts_total')?.type).toBe('counter');
    expect(families.get('autossh_tunnel_up')?.type).toBe('gauge');
    expect(families.get('autossh_backoff_seconds')?.type).toBe('gauge');
    expect(families.get('autossh_decisions_total')?.help).toMatch(/rule/);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('drop every series of a tunnel removed by a reload, and keep the others', async () => {
    const { fleet, metrics } = twoMinutesOfThree();
    const before = parseExposition(await metrics.text());
    expect(samplesOf(before, 'autossh_ssh_exits_total', { tunnel: 'web' }).length).toBeGreaterThan(0);
    expect(samplesOf(before, 'autossh_decisions_total', { tunnel: 'web' }).length).toBeGreaterThan(0);

    fleet.running = fleet.running.filter((t) => t.name !== 'web');
    metrics.noteReload('ok');
    const after = parseExposition(await metrics.text());
    for (const family of after.values()) {
      expect(family.samples.filter((s) => s.labels.tunnel === 'web'), family.name).toEqual([]);
    }
    expectAgreement(after, fleet.running);
    expect(valueOf(after, 'autossh_tunnels')).toBe(2);
  });

  it('restart the counters of a tunnel changed by a reload (a new tracker) from its new counts', async () => {
    const { clock, fleet, metrics } = twoMinutesOfThree();
    const before = parseExposition(await metrics.text());
    expect(valueOf(before, 'autossh_ssh_starts_total', { tunnel: 'web' })).toBeGreaterThan(3);

    // the reload restarts web: a new supervisor and tracker under the same name
    const env = { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '600' };
    const changed = handTunnel('web', configOf(['-M', '0', 'other-host'], env), clock);
    fleet.running = fleet.running.map((t) => (t.name === 'web' ? changed : t));
    clock.runUntil(clock.now(), MAX_CALLBACKS);
    const after = parseExposition(await metrics.text());
    expect(valueOf(after, 'autossh_ssh_starts_total', { tunnel: 'web' })).toBe(1);
    expect(samplesOf(after, 'autossh_ssh_exits_total', { tunnel: 'web' })).toEqual([]);
    expect(samplesOf(after, 'autossh_decisions_total', { tunnel: 'web' })).toEqual([]);
    expectAgreement(after, fleet.running);

    changed.host.endSsh({ code: 255 });
    clock.runUntil(clock.now() + 1_000, MAX_CALLBACKS);
    const later = parseExposition(await metrics.text());
    expect(valueOf(later, 'autossh_ssh_exits_total', { tunnel: 'web', reason: 'status_255' })).toBe(1);
    expectAgreement(later, fleet.running);
  });

  it('count reloads by result, both from 0', async () => {
    const metrics = createDaemonMetrics({ trackers: () => [] });
    let families = parseExposition(await metrics.text());
    expect(valueOf(families, 'autossh_config_reloads_total', { result: 'ok' })).toBe(0);
    expect(valueOf(families, 'autossh_config_reloads_total', { result: 'failed' })).toBe(0);
    metrics.noteReload('ok');
    metrics.noteReload('failed');
    metrics.noteReload('ok');
    families = parseExposition(await metrics.text());
    expect(valueOf(families, 'autossh_config_reloads_total', { result: 'ok' })).toBe(2);
    expect(valueOf(families, 'autossh_config_reloads_total', { result: 'failed' })).toBe(1);
    expect(valueOf(families, 'autossh_tunnels')).toBe(0);
  });

  it('say whether the last reload succeeded: 1 from the start, 0 after a refusal until one succeeds', async () => {
    const metrics = createDaemonMetrics({ trackers: () => [] });
    const last = async (): Promise<number | undefined> => valueOf(parseExposition(await metrics.text()), 'autossh_config_last_reload_successful');
    expect(parseExposition(await metrics.text()).get('autossh_config_last_reload_successful')?.type).toBe('gauge');
    expect(await last()).toBe(1);
    metrics.noteReload('failed');
    expect(await last()).toBe(0);
    metrics.noteReload('failed');
    expect(await last()).toBe(0);
    metrics.noteReload('ok');
    expect(await last()).toBe(1);
    metrics.noteReload('failed');
    expect(await last()).toBe(0);
  });

  it('escape a tunnel name as the format wants, and read back the same name', async () => {
    const clock = new VirtualClock();
    const name = 'we"ird\\name\nwith a newline';
    const t = handTunnel(name, configOf(['-M', '0', 'host']), clock);
    clock.runUntil(0, MAX_CALLBACKS);
    const metrics = createDaemonMetrics({ trackers: () => [t.tracker] });
    const text = await metrics.text();
    expect(text).toContain('autossh_tunnel_up{tunnel="we\\"ird\\\\name\\nwith a newline"} 1\n');
    expect(valueOf(parseExposition(text), 'autossh_tunnel_up', { tunnel: name })).toBe(1);
  });

  it('live in a registry of their own: two daemons do not mix, the global registry stays empty', async () => {
    const clock = new VirtualClock();
    const a = handTunnel('a', configOf(['-M', '0', 'host']), clock);
    const b = handTunnel('b', configOf(['-M', '0', 'host']), clock);
    clock.runUntil(0, MAX_CALLBACKS);
    const first = createDaemonMetrics({ trackers: () => [a.tracker] });
    const second = createDaemonMetrics({ trackers: () => [b.tracker] });
    const one = parseExposition(await first.text());
    const two = parseExposition(await second.text());
    expect(samplesOf(one, 'autossh_tunnel_up').map((s) => s.labels.tunnel)).toEqual(['a']);
    expect(samplesOf(two, 'autossh_tunnel_up').map((s) => s.labels.tunnel)).toEqual(['b']);
    expect((await globalRegistry.getMetricsAsJSON()).filter((m) => m.name.startsWith('autossh_'))).toEqual([]);
  });

  it('add the process series only when asked, read at scrape time', async () => {
    const trackers = (): TunnelTracker[] => [];
    const plain = parseExposition(await createDaemonMetrics({ trackers }).text());
    expect(plain.has('process_resident_memory_bytes')).toBe(false);
    const withProcess = parseExposition(await createDaemonMetrics({ trackers }, { processMetrics: true }).text());
    expect(valueOf(withProcess, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(valueOf(withProcess, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(withProcess, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    const start = valueOf(withProcess, 'process_start_time_seconds')!;
    expect(Math.abs(start - (Date.now() / 1000 - process.uptime()))).toBeLessThan(2);
  });
});

describe('the strict text reader (it guards the tests above)', () => {
  it.each([
    ['a sample with no TYPE before a TYPE of its own after it', '# HELP x h\nx 1\n# TYPE x gauge\n', 'TYPE after its samples'],
    ['a bad escape in a label value', '# TYPE x gauge\nx{a="\\t"} 1\n', 'bad escape'],
    ['an unterminated label value', '# TYPE x gauge\nx{a="b} 1\n', 'unterminated'],
    ['a label twice', '# TYPE x gauge\nx{a="1",a="2"} 1\n', 'label a twice'],
    ['a series twice', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n', 'a second sample'],
    ['split family lines', '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a="1"} 2\n', 'not contiguous'],
    ['a bad value', '# TYPE x gauge\nx 1,5\n', 'bad value'],
    ['no final newline', '# TYPE x gauge\nx 1', 'does not end'],
    ['a second TYPE', '# TYPE x gauge\n# TYPE x counter\nx 1\n', 'a second TYPE'],
    ['an unknown type', '# TYPE x meter\nx 1\n', 'unknown type'],
    ['trailing space', '# TYPE x gauge\nx 1 \n', 'expected " value'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseExposition(text)).toThrow(message);
  });

  it('reads what the format allows', () => {
    const families = parseExposition('# HELP x a \\\\ b\\nc\n# TYPE x gauge\nx{a="q\\"\\\\\\n",b=""} -Inf\nx 1.5e3 1700000000\n\n# a comment\n');
    expect(families.get('x')?.help).toBe('a \\ b\nc');
    expect(valueOf(families, 'x', { a: 'q"\\\n', b: '' })).toBe(-Infinity);
    expect(valueOf(families, 'x')).toBe(1500);
  });
});
