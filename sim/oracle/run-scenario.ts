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

export function simulateScenario(scenario: Scenario): Trace {
  return runScenario(scenario, null);
}

/**
 * The same run, its trace's text (`${JSON.stringify(trace, null, 1)}\n`, byte for byte) written
 * piece by piece as the run goes: a year-long run's events are never all in memory.
 */
export function streamScenario(scenario: Scenario, write: TraceWrite): void {
  runScenario(scenario, write);
}

function runScenario(scenario: Scenario, write: TraceWrite | null): Trace {
  const clock = new VirtualClock(0);
  const trace = new TraceRecorder(() => clock.now());
  if (write) trace.streamTo(write, scenario.name, scenario.description);
  const env = harnessEnv(scenario);
  let outcome = parseCommandLine(scenario.args, env);
  // D13: the CLI picks a free pair and exports AUTOSSH_PORT; the simulated world's is fixed
  if (outcome.kind === 'needsMonitorPort') outcome = parseCommandLine(scenario.args, { ...env, AUTOSSH_PORT: String(SIM_PORTS.AUTOPORT) });
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
  }
  if (world.endedAtMs === null) {
    clock.runUntil(capMs, MAX_CALLBACKS_PER_INSTANT);
    trace.record('timeout');
  }
  return finish();
}
