// The configuration read out of the evidence: every line 1.4g (and autossh-ts) writes that
// betrays a setting, each inference kept with the line it came from. What no line shows stays
// an unknown, with the default the replay assumes instead.
import { DEFAULT_GATE_SECONDS, DEFAULT_POLL_SECONDS } from '../../src/machine/config/env.js';
import type { Inference as SettingInference } from '../timeline/types.js';
import { DEBUG_LINE, type InferredFact } from './infer.js';
import type { LogLine } from './log-lines.js';
import { describeCandidates, MAX_POLL_SECONDS, pollCandidates, type LoggedGrace, type ObservedRestart } from './poll-from-grace.js';

/** stands in for a monitor port the log shows was on but never names */
export const PLACEHOLDER_MONITOR_PORT = '20000';
/** restarts looked at for POLL at the default level (poll-from-grace.ts looks at no more) */
const MAX_GAP_OBSERVATIONS = 200;
/** 1.4g halves POLL into the net timeout only below this */
const SHORT_POLL_BELOW_SECONDS = 30;

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
  if (pollLoweredTo === null) inferPoll(lines, starts, facts, openingLogged, beforeFirstStart, debug, infer, unknowns);

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

type Infer = (setting: string, value: string | null, detail: string, line: LogLine) => void;

function inferPoll(
  lines: readonly LogLine[], starts: readonly Start[], facts: readonly InferredFact[], openingLogged: boolean,
  beforeFirstStart: (line: LogLine) => boolean, debug: boolean, infer: Infer, unknowns: string[],
): void {
  let min = 1;
  let max = MAX_POLL_SECONDS;
  const short = lines.find((l) => /^short poll time: adjusting net timeouts to \d+/.test(l.message));
  if (short) {
    const netTimeoutMs = Number(/(\d+)$/.exec(short.message)![1]);
    // 1.4g: net timeout = trunc(POLL * 1000 / 2) when that is under 15 s
    min = max = Math.trunc(netTimeoutMs / 500);
  } else if (openingLogged && lines.some(beforeFirstStart)) {
    min = SHORT_POLL_BELOW_SECONDS;
  }
  const logged: LoggedGrace[] = [];
  const restarts: ObservedRestart[] = [];
  let graceLine: LogLine | null = null;
  // 1.4g says its tries at LOG_DEBUG; autossh-ts says only the wait: its gaps tell the rest
  const triesLogged = lines.some((l) => l.message.startsWith('checking for grace period, tries = '));
  if (triesLogged) {
    let pending: LoggedGrace | null = null;
    for (const line of lines) {
      const tries = /^checking for grace period, tries = (\d+)/.exec(line.message);
      const sleeping = /^sleeping for grace time (\d+) secs/.exec(line.message);
      if (tries) pending = { tries: Number(tries[1]), graceSeconds: 0 };
      else if (sleeping && pending) {
        pending.graceSeconds = Number(sleeping[1]);
        graceLine ??= line;
      } else if (line.message.startsWith('starting ssh') && pending) {
        logged.push(pending);
        if (pending.tries > 5) graceLine ??= line;
        pending = null;
      }
    }
  } else {
    // each restart: the previous start, the logged end of that ssh, this start
    const endOf = new Map<number, InferredFact>();
    for (const f of facts) if ((f.kind !== 'signal' || f.signal === 'SIGUSR1') && !endOf.has(f.ssh)) endOf.set(f.ssh, f);
    for (let k = 1; k < starts.length && restarts.length < MAX_GAP_OBSERVATIONS; k++) {
      const previous = starts[k - 1]!;
      const end = endOf.get(previous.n);
      if (!end) break; // a restart the log does not explain: stop before it misleads
      restarts.push({ previousStartMs: previous.atMs, endMs: end.atMs, startMs: starts[k]!.atMs });
    }
    if (restarts.length > 5) graceLine = lines.find((l) => l.lineNo === starts[6]?.lineNo) ?? null;
  }
  const candidates = pollCandidates(logged, restarts, { min, max });
  const evidence = short ?? graceLine;
  // LOG_DEBUG: "set alarm for N secs" right after a start arms its first check: FIRST_POLL,
  // which is POLL unless set apart
  const alarm = firstAlarmAfterStart(lines);
  if (alarm) {
    const seconds = Number(/(\d+) secs/.exec(alarm.message)![1]);
    const allowed = candidates === null ? seconds >= min && seconds <= max : candidates.includes(seconds);
    if (allowed) {
      const isDefault = seconds === DEFAULT_POLL_SECONDS;
      infer('AUTOSSH_POLL', isDefault ? null : String(seconds), `each ssh's first check was armed for ${seconds} s${isDefault ? ' (the default)' : ''}`
        + (candidates !== null && candidates.length > 1 ? `, among the ${describeCandidates(candidates)} the grace waits allow` : short ? ', as the net timeout says' : ''), alarm);
      unknowns.push('AUTOSSH_FIRST_POLL: taken to be POLL (a FIRST_POLL equal to it would log the same)');
      return;
    }
    infer('AUTOSSH_FIRST_POLL', String(seconds), `each ssh's first check was armed for ${seconds} s, which POLL cannot be here`, alarm);
  }
  if (candidates === null) {
    if (short) infer('AUTOSSH_POLL', String(min), `the net timeout is half of POLL below ${SHORT_POLL_BELOW_SECONDS} s`, short);
    else if (min === SHORT_POLL_BELOW_SECONDS) {
      const opening = lines.find(beforeFirstStart)!;
      infer('AUTOSSH_POLL', null, `at least ${SHORT_POLL_BELOW_SECONDS} s: the opening has no "short poll time" line`, opening);
      unknowns.push(`AUTOSSH_POLL: only bounded (at least ${SHORT_POLL_BELOW_SECONDS} s); ${DEFAULT_POLL_SECONDS} (the default) assumed`);
    } else unknowns.push(`AUTOSSH_POLL: no line shows it; ${DEFAULT_POLL_SECONDS} (the default) assumed`);
    return;
  }
  const how = triesLogged ? 'the logged grace-time waits' : 'the gaps between exits and restarts (to ±1 s)';
  if (candidates.length === 0) {
    unknowns.push(`AUTOSSH_POLL: ${how} fit no POLL from ${min} to ${max} s (not 1.4g's grace time?); ${DEFAULT_POLL_SECONDS} assumed`);
    return;
  }
  const range = describeCandidates(candidates);
  const at = evidence ?? lines[0]!;
  if (candidates.includes(DEFAULT_POLL_SECONDS) && !short) {
    infer('AUTOSSH_POLL', null, `${how} fit POLL ${range}: the default ${DEFAULT_POLL_SECONDS} among them`, at);
  } else {
    const value = candidates[0]!;
    infer('AUTOSSH_POLL', String(value), `${how} fit POLL ${range}${candidates.length > 1 ? `; ${value} used` : ''}`, at);
  }
  if (candidates.length > 1) unknowns.push(`AUTOSSH_POLL: the log allows ${range}; the replay uses one of them`);
}

function firstAlarmAfterStart(lines: readonly LogLine[]): LogLine | null {
  const start = lines.findIndex((l) => l.message.startsWith('starting ssh'));
  if (start < 0) return null;
  for (const line of lines.slice(start + 1)) {
    if (/^set alarm for \d+ secs/.test(line.message)) return line;
    if (/^(starting ssh|ssh exited)/.test(line.message)) return null;
  }
  return null;
}

function inferGate(lines: readonly LogLine[], facts: readonly InferredFact[], infer: Infer, unknowns: string[]): void {
  const firstExit = facts.find((f) => f.ssh === 1 && f.kind === 'sshCrash');
  const line = firstExit && lines.find((l) => l.lineNo === firstExit.lineNo);
  if (!firstExit || firstExit.kind !== 'sshCrash' || firstExit.signal !== undefined || !line) {
    unknowns.push(`AUTOSSH_GATETIME: the first ssh did not end with a status in the log; ${DEFAULT_GATE_SECONDS} s (the default) assumed`);
    return;
  }
  const lifeS = Math.round(firstExit.afterMs / 1000);
  const status = firstExit.exit ?? 255;
  if (line.message.includes('prematurely')) {
    if (lifeS < DEFAULT_GATE_SECONDS) infer('AUTOSSH_GATETIME', null, `longer than the first ssh's ${lifeS} s: the default ${DEFAULT_GATE_SECONDS} fits`, line);
    else infer('AUTOSSH_GATETIME', String(lifeS + 1), `longer than the first ssh's ${lifeS} s`, line);
    return;
  }
  if ((status === 1 || status === 2) && line.message.includes('restarting')) {
    infer('AUTOSSH_GATETIME', '0', `a first ssh's status ${status} is restarted only with no gate`, line);
    return;
  }
  if (status === 1 || status === 2 || (status !== 0 && status !== 255)) {
    // given up, but not "prematurely": the gate was on and shorter than the run
    if (lifeS > DEFAULT_GATE_SECONDS + 1) infer('AUTOSSH_GATETIME', null, `shorter than the first ssh's ${lifeS} s: the default fits`, line);
    else {
      infer('AUTOSSH_GATETIME', String(Math.max(1, lifeS - 1)), `on, and shorter than the first ssh's ${lifeS} s`, line);
      unknowns.push(`AUTOSSH_GATETIME: between 1 and ${lifeS} s; ${Math.max(1, lifeS - 1)} used`);
    }
    return;
  }
  // 255 restarted, or 0: judged past the gate
  if (lifeS > DEFAULT_GATE_SECONDS + 1) {
    infer('AUTOSSH_GATETIME', null, `shorter than the first ssh's ${lifeS} s: the default ${DEFAULT_GATE_SECONDS} fits`, line);
  } else {
    infer('AUTOSSH_GATETIME', '0', `the first ssh ended after ${lifeS} s and was not judged premature: the gate was 0 or shorter than that run (0 used)`, line);
  }
}
