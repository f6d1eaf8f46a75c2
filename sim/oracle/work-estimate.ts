// How big a scenario's trace will be, estimated before it runs. An oracle scenario is a few
// dozen events over a minute; its cap may still say a year, and with AUTOSSH_POLL=1 an ssh that
// exits at once is restarted every second: 30 million restarts, gigabytes of trace. Each start
// records two events and about five log lines at AUTOSSH_LOGLEVEL=7 (the harness's), each
// connection test one event (its log lines only at AUTOSSH_DEBUG), each signal a few.
import type { Config } from '../../src/machine/config/types.js';
import { startsWithin } from '../restart-cycles.js';
import { formatDuration } from '../timeline/duration.js';
import type { Scenario } from './scenario.js';

/** The most events and log lines one scenario's trace holds (~100 bytes each: ~200 MB of trace). */
export const MAX_SCENARIO_RECORDS = 2_000_000;
/** Past this many the command says the figure first. */
export const WARN_SCENARIO_RECORDS = 250_000;

const RECORDS_PER_START = 7;
const RECORDS_PER_TEST = 1;
const RECORDS_PER_SIGNAL = 4;

export interface ScenarioWork {
  records: number;
  sshStarts: number;
  connectionTests: number;
}

/** `config`: the scenario's command line as the simulator parsed it. */
export function estimateScenarioWork(scenario: Scenario, config: Config): ScenarioWork {
  const capMs = scenario.cap * 1000;
  const horizonMs = config.maxLifetimeSeconds > 0 ? Math.min(capMs, config.maxLifetimeSeconds * 1000) : capMs;
  const pollMs = config.pollSeconds * 1000;
  // the entries before the last happen once each; the last one repeats for the rest of the run
  const scripted = scenario.ssh.length - 1;
  const last = scenario.ssh[scenario.ssh.length - 1] ?? {};
  const lifeMs = lifeOf(last, config);
  let sshStarts = scripted + (lifeMs === null ? 1 : startsWithin(horizonMs, lifeMs, config.pollSeconds));
  if (config.maxStart >= 0) sshStarts = Math.min(sshStarts, config.maxStart);
  // a test every POLL while an ssh is up, the first FIRST_POLL after its start
  const firstPollMs = config.firstPollSeconds * 1000;
  const testsPerSsh = lifeMs === null ? 0 : lifeMs < firstPollMs ? 0 : 1 + Math.floor((lifeMs - firstPollMs) / pollMs);
  const connectionTests = config.monitor === null ? 0 : lifeMs === null ? Math.ceil(horizonMs / pollMs) : sshStarts * testsPerSsh;
  const records = sshStarts * RECORDS_PER_START + connectionTests * RECORDS_PER_TEST + scenario.signals.length * RECORDS_PER_SIGNAL;
  return { records, sshStarts, connectionTests };
}

/**
 * How long one ssh of this behaviour lives, or null if it lives to the end: it exits (or dies)
 * on its own after `after`, or a connection test finds its forward broken and autossh kills it.
 */
function lifeOf(b: Scenario['ssh'][number], config: Config): number | null {
  if (b.exit !== undefined || b.kill !== undefined) return (b.after ?? 0) * 1000;
  if (config.monitor === null) return null;
  const broken = b.forward === 'blackhole' || b.forward === 'refuse' || b.forward === 'slow' ? 0 : b.breakAfter !== undefined ? b.breakAfter * 1000 : null;
  if (broken === null) return null;
  return Math.max(broken, config.firstPollSeconds * 1000) + config.netTimeoutMs;
}

export function describeScenarioWork(work: ScenarioWork, scenario: Scenario, config: Config): string {
  return `about ${work.records.toLocaleString('en-US')} trace records (${work.sshStarts.toLocaleString('en-US')} ssh starts, `
    + `${work.connectionTests.toLocaleString('en-US')} connection tests) in ${formatDuration(scenario.cap * 1000)} at AUTOSSH_POLL=${config.pollSeconds}`;
}
