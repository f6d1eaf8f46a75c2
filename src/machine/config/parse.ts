// argv + environment -> Config, or the reason there is none. Pure: no I/O, no clock.
import { strtoul, toCInt } from './c-numbers.js';
import { EnvError, readEnv, type Env } from './env.js';
import { getopt } from './getopt.js';
import { LOG_INFO } from './log-levels.js';
import { AUTOSSH_OPTION_STRING, optionTable } from './ssh-options.js';
import { establishmentEvidence } from './establishment.js';
import { NET_TIMEOUT_CAP_MS, netTimeoutMsFor } from './net-timeout.js';
import { remoteForwardPorts } from './forward-specs.js';
import { buildSshArgv } from './ssh-argv.js';
import type { Monitor, Notice, ParseOutcome } from './types.js';

const table = optionTable(AUTOSSH_OPTION_STRING);

/**
 * `args` excludes argv[0]. `jitterSeed` spreads AUTOSSH_JITTER between supervisors (the CLI
 * passes its pid); it changes nothing else.
 */
export function parseCommandLine(args: readonly string[], env: Env, jitterSeed = 0): ParseOutcome {
  let settings;
  try {
    settings = readEnv(env);
  } catch (error) {
    if (error instanceof EnvError) return { kind: 'error', message: error.message };
    throw error;
  }
  const notices: Notice[] = [...settings.notices];

  const scan = getopt(args, table, env.POSIXLY_CORRECT !== undefined);
  let monitorSpec: string | null = null;
  let runAsDaemon = false;
  for (const item of scan.items) {
    if (item.kind === 'unknown') return { kind: 'usage', complaint: `invalid option -- '${item.letter}'` };
    if (item.kind === 'missingValue') return { kind: 'usage', complaint: `option requires an argument -- '${item.letter}'` };
    if (item.letter === 'V') return { kind: 'version' };
    if (item.letter === 'M') monitorSpec = item.value ?? '';
    if (item.letter === 'f') runAsDaemon = true;
  }
  // Debian's build: -M wins over AUTOSSH_PORT.
  monitorSpec ??= settings.envPort;
  // no host is usage whatever the port; a host without a port is D13's (Debian's wrapper's) case
  if (scan.firstOperand >= scan.permuted.length) return { kind: 'usage', complaint: null };
  if (monitorSpec === null) return { kind: 'needsMonitorPort' };

  let monitor: Monitor | null = null;
  let writeSpec = monitorSpec;
  let echoPort: number | null = null;
  const colon = monitorSpec.indexOf(':');
  if (colon >= 0) {
    writeSpec = monitorSpec.slice(0, colon);
    const echoSpec = monitorSpec.slice(colon + 1);
    const parsed = strtoul(echoSpec);
    echoPort = toCInt(parsed.value);
    if (!parsed.complete || echoPort === 0) return { kind: 'error', message: `invalid echo port  "${echoSpec}"` };
  }
  const parsedWrite = strtoul(writeSpec);
  const writePort = toCInt(parsedWrite.value);
  if (!parsedWrite.complete) return { kind: 'error', message: `invalid port "${writeSpec}"` };
  if (writePort === 0) {
    notices.push({ level: LOG_INFO, message: 'port set to 0, monitoring disabled' });
  } else if (writePort > 65534 || writePort < 0) {
    return { kind: 'error', message: `monitor port (${writePort}) out of range` };
  } else {
    monitor = echoPort === null
      ? { form: 'loop', writePort, readPort: writePort + 1 }
      : { form: 'echo', writePort, echoPort };
  }

  // A test waits at most net_timeout for the accept and again for the reply: both must fit in
  // one poll interval.
  const netTimeoutMs = netTimeoutMsFor(settings.pollSeconds);
  if (netTimeoutMs < NET_TIMEOUT_CAP_MS) {
    notices.push({ level: LOG_INFO, message: `short poll time: adjusting net timeouts to ${netTimeoutMs}` });
  }

  // Debian's build treats -M like AUTOSSH_PORT: the forwards always go first (checked against
  // the real 1.4g by test/machine/argv-differential.test.ts).
  const sshArgv = buildSshArgv(settings.sshPath, scan.permuted, monitor, true, table);
  return {
    kind: 'run',
    notices,
    config: {
      sshPath: settings.sshPath,
      sshArgv,
      monitor,
      // A daemon is expected to keep trying while machines come up: no gate.
      gateSeconds: runAsDaemon ? 0 : settings.gateSeconds,
      pollSeconds: settings.pollSeconds,
      firstPollSeconds: settings.firstPollSeconds,
      netTimeoutMs,
      maxStart: settings.maxStart,
      maxLifetimeSeconds: settings.maxLifetimeSeconds,
      killSeconds: settings.killSeconds,
      connectSeconds: settings.connectSeconds,
      evidence: establishmentEvidence(sshArgv.slice(1), table),
      forwardCheck: settings.forwardCheck,
      remoteForwardPorts: remoteForwardPorts(sshArgv.slice(1), table),
      netWatch: settings.netWatch,
      jitterSeconds: settings.jitterSeconds,
      jitterSeed,
      testMessage: settings.testMessage,
      pidFile: settings.pidFile,
      logFile: settings.logFile,
      logLevel: settings.logLevel,
      logFormat: settings.logFormat,
      debug: settings.debug,
      runAsDaemon,
    },
  };
}
