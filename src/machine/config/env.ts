// The AUTOSSH_* variables, read in 1.4g's order with 1.4g's validation (get_env_args).
// The first bad value ends the run; unlike 1.4g, whose message went only to syslog, the
// message names the variable and the value (D8).
import { strtol, strtoul, toCInt, unsignedToDouble } from './c-numbers.js';
import { LOG_DEBUG, LOG_INFO } from './log-levels.js';
import type { Notice } from './types.js';

export const DEFAULT_POLL_SECONDS = 600;
export const DEFAULT_GATE_SECONDS = 30;
export const DEFAULT_KILL_SECONDS = 5;
export const MAX_MESSAGE_BYTES = 64;
/** AUTOSSH_CONNECTTIME's default once the liveness rules are on: a minute without a session is stuck. */
export const DEFAULT_CONNECT_SECONDS = 60;

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvSettings {
  sshPath: string;
  debug: boolean;
  logLevel: number;
  pollSeconds: number;
  firstPollSeconds: number;
  gateSeconds: number;
  maxStart: number;
  /** AUTOSSH_MESSAGE: the connection test's payload */
  testMessage: string;
  envPort: string | null;
  maxLifetimeSeconds: number;
  killSeconds: number;
  /** AUTOSSH_CONNECTTIME: restart an ssh not established this long after its start; 0 = off */
  connectSeconds: number;
  /** AUTOSSH_FORWARDCHECK: "remote port forwarding failed" on ssh's stderr is a failed start */
  forwardCheck: boolean;
  /** AUTOSSH_NETWATCH: the network coming back ends a backoff wait */
  netWatch: boolean;
  /** AUTOSSH_JITTER: each restart waits up to this much more, spread per supervisor; 0 = off */
  jitterSeconds: number;
  pidFile: string | null;
  logFile: string | null;
  /** AUTOSSH_LOGFORMAT (autossh-ts): `text` (1.4g's lines, the default) or `json` (one object a line) */
  logFormat: 'text' | 'json';
  notices: Notice[];
}

export class EnvError extends Error {}

function invalid(what: string, name: string, value: string): never {
  throw new EnvError(`invalid ${what} "${value}" (${name})`);
}

export function readEnv(env: Env): EnvSettings {
  const notices: Notice[] = [];
  const sshPath = env.AUTOSSH_PATH ?? 'ssh';

  const debug = env.AUTOSSH_DEBUG !== undefined;
  let logLevel = LOG_INFO;
  if (debug) {
    logLevel = LOG_DEBUG;
  } else if (env.AUTOSSH_LOGLEVEL !== undefined) {
    const s = env.AUTOSSH_LOGLEVEL;
    const parsed = strtoul(s);
    logLevel = toCInt(parsed.value);
    if (!parsed.complete || logLevel < 0 || logLevel > LOG_DEBUG) invalid('log level', 'AUTOSSH_LOGLEVEL', s);
  }

  let pollSeconds = DEFAULT_POLL_SECONDS;
  if (env.AUTOSSH_POLL !== undefined) pollSeconds = readPoll('poll time', 'AUTOSSH_POLL', env.AUTOSSH_POLL);

  // Without AUTOSSH_FIRST_POLL the first test waits a whole poll interval.
  let firstPollSeconds = pollSeconds;
  if (env.AUTOSSH_FIRST_POLL !== undefined) {
    firstPollSeconds = readPoll('first poll time', 'AUTOSSH_FIRST_POLL', env.AUTOSSH_FIRST_POLL);
  }

  let gateSeconds = DEFAULT_GATE_SECONDS;
  if (env.AUTOSSH_GATETIME !== undefined) {
    const s = env.AUTOSSH_GATETIME;
    const parsed = strtol(s);
    gateSeconds = Number(parsed.value);
    if (!parsed.complete || gateSeconds < 0) invalid('gate time', 'AUTOSSH_GATETIME', s);
  }

  let maxStart = -1;
  if (env.AUTOSSH_MAXSTART !== undefined) {
    const s = env.AUTOSSH_MAXSTART;
    const parsed = strtol(s);
    maxStart = toCInt(parsed.value);
    if (!parsed.complete || maxStart < -1) invalid('max start number', 'AUTOSSH_MAXSTART', s);
  }

  let testMessage = '';
  if (env.AUTOSSH_MESSAGE !== undefined) {
    testMessage = env.AUTOSSH_MESSAGE;
    if (Buffer.byteLength(testMessage) > MAX_MESSAGE_BYTES) {
      throw new EnvError(
        `echo message may only be ${MAX_MESSAGE_BYTES} bytes long (AUTOSSH_MESSAGE is ${Buffer.byteLength(testMessage)})`,
      );
    }
  }

  const envPort = env.AUTOSSH_PORT ? env.AUTOSSH_PORT : null;

  let maxLifetimeSeconds = 0;
  if (env.AUTOSSH_MAXLIFETIME !== undefined) {
    const s = env.AUTOSSH_MAXLIFETIME;
    const parsed = strtoul(s);
    if (!parsed.complete) invalid('max lifetime', 'AUTOSSH_MAXLIFETIME', s);
    maxLifetimeSeconds = unsignedToDouble(parsed.value);
    if (maxLifetimeSeconds > 0) {
      // A poll longer than the whole life would never happen: 1.4g lowers both.
      if (pollSeconds > maxLifetimeSeconds) {
        notices.push({ level: LOG_INFO, message: `poll time is greater than lifetime, dropping poll time to ${maxLifetimeSeconds}` });
        pollSeconds = maxLifetimeSeconds;
      }
      if (firstPollSeconds > maxLifetimeSeconds) {
        notices.push({
          level: LOG_INFO,
          message: `first poll time is greater than lifetime, dropping first poll time to ${maxLifetimeSeconds}`,
        });
        firstPollSeconds = maxLifetimeSeconds;
      }
    }
  }

  let killSeconds = DEFAULT_KILL_SECONDS;
  if (env.AUTOSSH_KILLTIME !== undefined) {
    const s = env.AUTOSSH_KILLTIME;
    const parsed = strtol(s);
    killSeconds = Number(parsed.value);
    if (!parsed.complete || killSeconds < 0) invalid('kill time', 'AUTOSSH_KILLTIME', s);
  }

  // The liveness settings (D9-D12) are autossh-ts's own, read after 1.4g's. The drop-in's
  // defaults stay 1.4g's: AUTOSSH_LIVENESS=1 (daemon mode's default) turns D9-D11 on with sound
  // defaults, and each rule's own variable overrides it either way.
  const liveness = readSwitch('AUTOSSH_LIVENESS', env.AUTOSSH_LIVENESS, false);
  const connectSeconds = readSeconds('connect time', 'AUTOSSH_CONNECTTIME', env.AUTOSSH_CONNECTTIME, liveness ? DEFAULT_CONNECT_SECONDS : 0);
  const forwardCheck = readSwitch('AUTOSSH_FORWARDCHECK', env.AUTOSSH_FORWARDCHECK, liveness);
  const netWatch = readSwitch('AUTOSSH_NETWATCH', env.AUTOSSH_NETWATCH, liveness);
  const jitterSeconds = readSeconds('jitter', 'AUTOSSH_JITTER', env.AUTOSSH_JITTER, 0);

  const pidFile = env.AUTOSSH_PIDFILE ? env.AUTOSSH_PIDFILE : null;
  const logFile = env.AUTOSSH_LOGFILE !== undefined ? env.AUTOSSH_LOGFILE : null;
  const logFormat = readLogFormat(env.AUTOSSH_LOGFORMAT);

  return {
    sshPath, debug, logLevel, pollSeconds, firstPollSeconds, gateSeconds, maxStart, testMessage,
    envPort, maxLifetimeSeconds, killSeconds, connectSeconds, forwardCheck, netWatch, jitterSeconds,
    pidFile, logFile, logFormat, notices,
  };
}

/** How log lines are written: 1.4g's text unless asked; json is for journald, Loki and the like. */
function readLogFormat(s: string | undefined): 'text' | 'json' {
  if (s === undefined || s === 'text') return 'text';
  if (s === 'json') return 'json';
  throw new EnvError(`invalid log format "${s}" (AUTOSSH_LOGFORMAT: text or json)`);
}

/** A whole number of seconds, 0 or more; unset means the default. */
function readSeconds(what: string, name: string, s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const parsed = strtol(s);
  const seconds = Number(parsed.value);
  if (!parsed.complete || seconds < 0 || seconds > 86_400) invalid(what, name, s);
  return seconds;
}

/** 1 (or yes) turns the rule on, 0 (or no) off; unset means the default. */
function readSwitch(name: string, s: string | undefined, fallback: boolean): boolean {
  if (s === undefined) return fallback;
  if (s === '1' || s === 'yes') return true;
  if (s === '0' || s === 'no') return false;
  throw new EnvError(`invalid switch "${s}" (${name}: 1 or 0)`);
}

function readPoll(what: string, name: string, s: string): number {
  const parsed = strtoul(s);
  const seconds = toCInt(parsed.value);
  if (!parsed.complete || seconds === 0) invalid(what, name, s);
  // strtoul wraps "-5" into a negative int, which 1.4g quietly replaces by the default.
  return seconds < 0 ? DEFAULT_POLL_SECONDS : seconds;
}
