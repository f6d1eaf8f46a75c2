// AUTOSSH_POLL (and FIRST_POLL) read out of a log: the "short poll time" line, the opening
// without it, LOGLEVEL 7's first alarm after a start, and the grace-time waits (poll-from-grace.ts).
import { DEFAULT_POLL_SECONDS } from '../../src/machine/config/env.js';
import { pollSecondsForNetTimeout, SHORT_POLL_BELOW_SECONDS } from '../../src/machine/config/net-timeout.js';
import { N_FAST_TRIES } from '../../src/machine/decisions/grace-time.js';
import type { Infer, Start } from './infer-config.js';
import type { InferredFact } from './infer.js';
import type { LogLine } from './log-lines.js';
import { describeCandidates, MAX_POLL_SECONDS, pollCandidates, type LoggedGrace, type ObservedRestart } from './poll-from-grace.js';

/** restarts looked at for POLL at the default level (poll-from-grace.ts looks at no more) */
const MAX_GAP_OBSERVATIONS = 200;

export function inferPoll(
  lines: readonly LogLine[], starts: readonly Start[], facts: readonly InferredFact[], openingLogged: boolean,
  beforeFirstStart: (line: LogLine) => boolean, infer: Infer, unknowns: string[],
): void {
  let min = 1;
  let max = MAX_POLL_SECONDS;
  const short = lines.find((l) => /^short poll time: adjusting net timeouts to \d+/.test(l.message));
  if (short) {
    min = max = pollSecondsForNetTimeout(Number(/(\d+)$/.exec(short.message)![1]));
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
        if (pending.tries > N_FAST_TRIES) graceLine ??= line;
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
    // the first restart past the fast tries is the first that waits out a grace time
    if (restarts.length > N_FAST_TRIES) graceLine = lines.find((l) => l.lineNo === starts[N_FAST_TRIES + 1]?.lineNo) ?? null;
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
