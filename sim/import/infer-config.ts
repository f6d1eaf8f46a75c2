// The configuration read out of the evidence: every line 1.4g (and autossh-ts) writes that
// betrays a setting, each inference kept with the line it came from. What no line shows stays
// an unknown, with the default the replay assumes instead.
import type { Inference as SettingInference } from '../timeline/types.js';
import { DEBUG_LINE, type InferredFact } from './infer.js';
import type { LogLine } from './log-lines.js';
import { inferGate } from './infer-gate.js';
import { inferPoll } from './infer-poll.js';

/** stands in for a monitor port the log shows was on but never names */
export const PLACEHOLDER_MONITOR_PORT = '20000';

export interface ConfigInference {
  monitor: string | null;
  env: Record<string, string>;
  inferences: SettingInference[];
  unknowns: string[];
  /** the log has LOG_DEBUG lines */
  debug: boolean;
}

export interface Start {
  n: number;
  atMs: number;
  lineNo: number;
}

/** `lines`: one run's supervisor lines; `facts`/`starts` from inferFacts, times after `startEpochMs`. */
export function inferConfig(
  lines: readonly LogLine[],
  starts: readonly Start[],
  facts: readonly InferredFact[],
  startEpochMs: number,
): ConfigInference {
  const inferences: SettingInference[] = [];
  const unknowns: string[] = [];
  const env: Record<string, string> = {};
  const infer = (setting: string, value: string | null, detail: string, line: LogLine): void => {
    inferences.push({ setting, value, detail, line: line.lineNo, text: line.message });
    if (value !== null && setting.startsWith('AUTOSSH_')) env[setting] = value;
  };
  const find = (re: RegExp): { line: LogLine; m: RegExpExecArray } | null => {
    for (const line of lines) {
      const m = re.exec(line.message);
      if (m) return { line, m };
    }
    return null;
  };
  const debugLine = lines.find((l) => DEBUG_LINE.test(l.message));
  const debug = debugLine !== undefined;
  if (debugLine) infer('AUTOSSH_LOGLEVEL', '7', 'LOG_DEBUG lines are logged', debugLine);
  // the run's own opening is in the log: its LOG_INFO notices would be too
  const firstStart = starts[0];
  const openingLogged = firstStart?.n === 1;
  const beforeFirstStart = (line: LogLine): boolean => firstStart === undefined || line.lineNo < firstStart.lineNo;

  // -M
  let monitor: string | null = null;
  const portZero = find(/^port set to 0, monitoring disabled/);
  const monitoringSign = find(/^(port down|connection ok|timeout polling to accept|tried connection \d+ times|not what I sent|connection test failed)/);
  if (portZero) {
    monitor = '0';
    infer('-M', '0', 'monitoring disabled', portZero.line);
  } else if (monitoringSign) {
    monitor = PLACEHOLDER_MONITOR_PORT;
    infer('-M', monitor, `connection tests ran, so monitoring was on; the port is never logged (${monitor} stands in)`, monitoringSign.line);
  } else if (openingLogged) {
    monitor = PLACEHOLDER_MONITOR_PORT;
    infer('-M', monitor, `the run's opening is logged without "port set to 0", so monitoring was on; the port is never logged (${monitor} stands in)`, lines.find(beforeFirstStart) ?? lines[0]!);
  } else {
    unknowns.push('-M: the log does not show whether monitoring was on (its opening is not in it): -M 0 assumed');
  }
  if (monitor !== null && monitor !== '0') {
    unknowns.push('the monitor port and its form (-M port or -M port:echoport): never logged; connection tests replay as the loop form');
    if (!debug) unknowns.push('AUTOSSH_FIRST_POLL: logged only at LOGLEVEL 7; POLL assumed');
  }

  // AUTOSSH_MAXSTART
  const counted = find(/^starting ssh \(count \d+(?: of (\d+))?\)/);
  if (counted?.m[1] !== undefined) infer('AUTOSSH_MAXSTART', counted.m[1], `"count N of ${counted.m[1]}"`, counted.line);
  else if (counted) infer('AUTOSSH_MAXSTART', null, 'no limit (the count has no "of M")', counted.line);

  // AUTOSSH_MAXLIFETIME, and the POLL it may have lowered
  let pollLoweredTo: number | null = null;
  const droppedPoll = find(/^poll time is greater than lifetime, dropping poll time to (\d+)/);
  const droppedFirst = find(/^first poll time is greater than lifetime, dropping first poll time to (\d+)/);
  const lifetimeOver = find(/^exceeded maximum time to live/);
  if (droppedPoll) {
    pollLoweredTo = Number(droppedPoll.m[1]);
    infer('AUTOSSH_MAXLIFETIME', droppedPoll.m[1]!, `POLL was longer and was lowered to it`, droppedPoll.line);
    infer('AUTOSSH_POLL', droppedPoll.m[1]!, `lowered to the lifetime (the POLL given was longer; the same in effect)`, droppedPoll.line);
  } else if (droppedFirst) {
    infer('AUTOSSH_MAXLIFETIME', droppedFirst.m[1]!, 'FIRST_POLL was longer and was lowered to it', droppedFirst.line);
  } else if (lifetimeOver) {
    const seconds = Math.max(1, Math.round((lifetimeOver.line.epochMs - startEpochMs) / 1000));
    infer('AUTOSSH_MAXLIFETIME', String(seconds), `autossh ended its life ${seconds} s after its first logged line (±1 s)`, lifetimeOver.line);
  }

  // AUTOSSH_POLL
  if (pollLoweredTo === null) inferPoll(lines, starts, facts, openingLogged, beforeFirstStart, infer, unknowns);

  // AUTOSSH_GATETIME: only the first ssh's exit is judged by the gate
  if (firstStart && firstStart.n > 1) {
    // the replay's first ssh is the log's n-th: no gate keeps it from being judged as a first
    infer('AUTOSSH_GATETIME', '0', `the log opens at ssh #${firstStart.n}, past the gate (which judges only the first ssh): 0 keeps the replay from judging it`, lines.find((l) => l.lineNo === firstStart.lineNo)!);
    unknowns.push('AUTOSSH_GATETIME: the first ssh is not in the log');
  } else inferGate(lines, facts, infer, unknowns);

  // a log that opens mid-run: the replay counts its starts from there
  const maxStart = inferences.find((i) => i.setting === 'AUTOSSH_MAXSTART' && i.value !== null);
  if (firstStart && firstStart.n > 1 && maxStart) {
    const remaining = Math.max(1, Number(maxStart.value) - (firstStart.n - 1));
    maxStart.value = String(remaining);
    maxStart.detail += `, less the ${firstStart.n - 1} starts before the log opens: ${remaining}`;
    env.AUTOSSH_MAXSTART = String(remaining);
  }

  // autossh-ts's own (D9-D12)
  const connectTime = find(/^ssh session not established (\d+) s after its start/);
  const established = find(/^ssh session established after/);
  if (connectTime) infer('AUTOSSH_CONNECTTIME', connectTime.m[1]!, 'the session deadline autossh-ts gave ssh', connectTime.line);
  else if (established) {
    infer('AUTOSSH_CONNECTTIME', '60', 'autossh-ts awaited each session (D9); its deadline is never logged unless it passed: 60 (the liveness default) used', established.line);
    unknowns.push('AUTOSSH_CONNECTTIME: on, its length not logged; 60 s assumed');
  }
  const forward = find(/^(retrying the remote forward in|remote port forwarding failed for listen port)/);
  if (forward) infer('AUTOSSH_FORWARDCHECK', '1', 'autossh-ts acted on a refused remote forward (D10)', forward.line);
  const netChange = find(/^network changed \(/);
  if (netChange) infer('AUTOSSH_NETWATCH', '1', 'autossh-ts ended a wait when the network changed (D11)', netChange.line);
  const jitters = lines.flatMap((l) => {
    const m = /^waiting (\d+) ms \(AUTOSSH_JITTER\)/.exec(l.message);
    return m ? [{ line: l, ms: Number(m[1]) }] : [];
  });
  if (jitters.length > 0) {
    const seconds = Math.max(1, Math.ceil(Math.max(...jitters.map((j) => j.ms)) / 1000));
    infer('AUTOSSH_JITTER', String(seconds), `restarts waited up to ${Math.max(...jitters.map((j) => j.ms))} ms of jitter (D12): at least ${seconds} s`, jitters[0]!.line);
    unknowns.push('AUTOSSH_JITTER: only its largest logged wait is known, and each wait is drawn per supervisor: the replay\'s waits differ');
  }

  unknowns.push("ssh's own arguments (destination, forwards, -o options): never logged; a placeholder host is used");
  return { monitor, env, inferences, unknowns, debug };
}

/** records one inference (and sets the variable when it has a value) */
export type Infer = (setting: string, value: string | null, detail: string, line: LogLine) => void;
