// One oracle scenario, simulated: the harness's environment, the command line parsed as the
// real CLI parses it, the world run on a virtual clock up to the scenario's cap.
import { Supervisor } from '../../src/driver/supervisor.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { usageText, versionText } from '../../src/cli/help.js';
import { VirtualClock } from '../virtual-clock.js';
import { FakeSshWorld } from './fake-ssh-world.js';
import { SIM_FAKE_SSH, SIM_PORTS, SIM_WORKDIR, type Scenario } from './scenario.js';
import { SimulationRunaway } from './runaway.js';
import { TraceRecorder, type Trace, type TraceWrite } from './trace.js';
import { describeScenarioWork, estimateScenarioWork, MAX_SCENARIO_RECORDS, WARN_SCENARIO_RECORDS } from './work-estimate.js';

/** What the oracle's harness puts in a run's environment before the scenario's own `env`. */
export function harnessEnv(scenario: Scenario): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: '/root',
    LANG: 'C',
    AUTOSSH_PATH: SIM_FAKE_SSH,
    AUTOSSH_LOGFILE: `${SIM_WORKDIR}/autossh.log`,
    AUTOSSH_LOGLEVEL: '7',
  };
  for (const [name, value] of Object.entries(scenario.env)) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** More callbacks than this at one instant is a runaway (a scenario has a few dozen events). */
const MAX_CALLBACKS_PER_INSTANT = 100_000;

/** instants of the clock per slice of scenarioSteps: a few milliseconds of work */
const SLICE_INSTANTS = 500;

/** A scenario whose trace would be bigger than its bound: bad input (a cap too long for its POLL). */
export class ScenarioTooLargeError extends Error {
  override name = 'ScenarioTooLargeError';
}

export interface ScenarioOptions {
  /** bound on the trace's events and log lines; refused up front by the estimate, stopped at run time */
  maxRecords?: number;
  /** a streamed trace's log lines kept in memory before the rest go to a temp file (default 50,000) */
  logLinesInMemory?: number;
}

export function simulateScenario(scenario: Scenario, options: ScenarioOptions = {}): Trace {
  return drain(scenarioSteps(scenario, null, options));
}

/**
 * The same run, its trace's text (`${JSON.stringify(trace, null, 1)}\n`, byte for byte) written
 * piece by piece as the run goes: a year-long run's events are never all in memory, nor its log
 * (it waits in a spool, sim/oracle/line-spool.ts).
 */
export function streamScenario(scenario: Scenario, write: TraceWrite, options: ScenarioOptions = {}): void {
  drain(scenarioSteps(scenario, write, options));
}

function drain<R>(steps: Generator<unknown, R, void>): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The scenario's command line as the simulated CLI parses it (the harness's environment, D13's port). */
export function scenarioCommandLine(scenario: Scenario): ReturnType<typeof parseCommandLine> {
  const env = harnessEnv(scenario);
  const outcome = parseCommandLine(scenario.args, env);
  // D13: the CLI picks a free pair and exports AUTOSSH_PORT; the simulated world's is fixed
  return outcome.kind === 'needsMonitorPort' ? parseCommandLine(scenario.args, { ...env, AUTOSSH_PORT: String(SIM_PORTS.AUTOPORT) }) : outcome;
}

/**
 * Refuses a scenario whose trace the estimate puts past `maxRecords`, before anything runs;
 * says the estimate when it is large (null when not worth saying).
 */
export function checkScenarioWork(scenario: Scenario, maxRecords = MAX_SCENARIO_RECORDS): string | null {
  const outcome = scenarioCommandLine(scenario);
  if (outcome.kind !== 'run') return null;
  const work = estimateScenarioWork(scenario, outcome.config);
  const words = describeScenarioWork(work, scenario, outcome.config);
  if (work.records > maxRecords) {
    throw new ScenarioTooLargeError(`${scenario.name}: ${words}; at most ${maxRecords.toLocaleString('en-US')}: lower "cap", `
      + 'raise AUTOSSH_POLL or set AUTOSSH_MAXSTART');
  }
  return work.records > WARN_SCENARIO_RECORDS ? words : null;
}

/** The run in slices: yields between slices (a caller may stop there), returns the trace. */
export function* scenarioSteps(scenario: Scenario, write: TraceWrite | null, options: ScenarioOptions = {}): Generator<number, Trace, void> {
  const clock = new VirtualClock(0);
  const trace = new TraceRecorder(() => clock.now());
  if (write) trace.streamTo(write, scenario.name, scenario.description, options.logLinesInMemory);
  try {
    return yield* runScenario(scenario, clock, trace, options.maxRecords ?? MAX_SCENARIO_RECORDS);
  } finally {
    trace.dropSpool();
  }
}

function* runScenario(scenario: Scenario, clock: VirtualClock, trace: TraceRecorder, maxRecords: number): Generator<number, Trace, void> {
  const outcome = scenarioCommandLine(scenario);
  // the supervisor ended before it ran anything (usage, version, bad configuration)
  const endEarly = (code: number): Trace => {
    trace.record('supervisor_exit', { code });
    return finish();
  };
  const finish = (): Trace => {
    trace.closeStream();
    return trace.toTrace(scenario.name, scenario.description);
  };
  switch (outcome.kind) {
    case 'version':
      trace.stdout = `${versionText('autossh-ts')}\n`;
      return endEarly(0);
    case 'usage':
      trace.stderr = `${outcome.complaint ? `autossh-ts: ${outcome.complaint}\n` : ''}${usageText('autossh-ts')}`;
      return endEarly(1);
    case 'error':
      trace.stderr = `autossh-ts: ${outcome.message}\n`;
      trace.note(outcome.message);
      return endEarly(1);
    case 'needsMonitorPort':
      throw new Error(`${scenario.name}: no monitor port even with AUTOSSH_PORT set`);
    case 'run':
      break;
  }

  const supervisor = new Supervisor(outcome.config);
  const world = new FakeSshWorld(clock, scenario, trace, outcome.config.pidFile, supervisor.tell);
  if (outcome.config.runAsDaemon) world.detach();
  world.scheduleSignals();
  supervisor.start(world, outcome.notices);

  const capMs = scenario.cap * 1000;
  // Bounded: a runaway machine stops the run instead of the process.
  const maxCallbacks = 10_000_000;
  let ran = 0;
  while (world.endedAtMs === null || clock.now() < world.endedAtMs) {
    const next = clock.nextDueMs();
    const limit = world.endedAtMs ?? capMs;
    if (next === null || next > limit) break;
    clock.runUntil(next, MAX_CALLBACKS_PER_INSTANT);
    if (++ran > maxCallbacks) throw new SimulationRunaway(`${scenario.name}: more than ${maxCallbacks} steps`);
    if (ran % SLICE_INSTANTS === 0) {
      // the estimate let it start; this holds whatever the estimate missed
      if (trace.records > maxRecords) {
        throw new ScenarioTooLargeError(`${scenario.name}: more than ${maxRecords.toLocaleString('en-US')} trace records (events and log lines) `
          + `by ${(clock.now() / 1000).toFixed(1)} s of its cap of ${scenario.cap} s, the most one trace holds: lower "cap", raise AUTOSSH_POLL or set AUTOSSH_MAXSTART`);
      }
      yield clock.now();
    }
  }
  if (world.endedAtMs === null) {
    clock.runUntil(capMs, MAX_CALLBACKS_PER_INSTANT);
    trace.record('timeout');
  }
  return finish();
}
