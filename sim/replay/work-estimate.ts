// How much a replay will do, estimated before it runs. The work and the memory of a replay go
// with its ssh starts (each leaves its decisions, log lines and trace, ~1.3 KB, until the outputs
// are written; each costs ~0.5 ms): a 400-day refusal with AUTOSSH_POLL=1 is 34 million of them.
// The estimate follows the simulated OpenSSH (docs/timeline-format.md) roughly: during each
// disruption every ssh fails after the time its kind takes (a refused connect at once, a lost SYN
// at ConnectTimeout or 127 s, ...) and autossh waits its grace time between them.
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import { forwardRetrySeconds } from '../../src/machine/decisions/forward-retry.js';
import { readSshOptions } from '../openssh/ssh-options.js';
import { KEEPALIVE_GIVE_UP_MS, RETRANSMIT_GIVE_UP_MS, SYN_GIVE_UP_MS } from '../openssh/tcp.js';
import { startsWithin } from '../restart-cycles.js';
import { formatDuration } from '../timeline/duration.js';
import type { Fact, RunConfig, Timeline } from '../timeline/types.js';

/** The most ssh starts one replay command simulates (all its configurations together): ~1.3 GB held. */
export const MAX_REPLAY_SSH_STARTS = 1_000_000;
/** Past this many the command says the figure first: it takes minutes. */
export const WARN_REPLAY_SSH_STARTS = 100_000;
/** what one ssh start leaves in memory until the outputs are written, measured (bench/replay-year.ts) */
const BYTES_PER_START = 1300;

export interface WorkEstimate {
  sshStarts: number;
  /** "399d of disruption at AUTOSSH_POLL=1": what makes the figure, for messages */
  why: string;
}

interface Disruption {
  fromMs: number;
  toMs: number;
  /** how long each ssh lives while it lasts */
  lifeMs: number;
  /** how long into it the ssh that was up when it began notices and ends (Infinity: never) */
  noticeMs: number;
}

/** The estimate for one configuration on the timeline's facts. */
export function estimateSshStarts(timeline: Timeline, run: RunConfig): WorkEstimate {
  const parsed = parseCommandLine(run.args, run.env);
  if (parsed.kind !== 'run') return { sshStarts: 0, why: 'autossh refuses the configuration' };
  const config = parsed.config;
  const horizonMs = config.maxLifetimeSeconds > 0 ? Math.min(timeline.durationMs, config.maxLifetimeSeconds * 1000) : timeline.durationMs;
  const { lifeOf, noticeOf } = lifetimes(config, timeline);

  // disruptions that overlap are one: the shortest-lived ssh among them sets the pace
  const spans: Disruption[] = [];
  const instantsAtMs: number[] = [];
  for (const fact of timeline.facts) {
    if (fact.atMs >= horizonMs) continue;
    if (!('forMs' in fact)) {
      instantsAtMs.push(fact.atMs);
      continue;
    }
    const lifeMs = lifeOf(fact);
    if (lifeMs !== null) spans.push({ fromMs: fact.atMs, toMs: Math.min(fact.atMs + fact.forMs, horizonMs), lifeMs, noticeMs: noticeOf(fact) });
  }
  // a fact tied to an ssh happens whenever that ssh runs: counted as if it met an ssh already down
  let starts = 1;
  for (const { fact } of timeline.sshFacts) {
    const lifeMs = lifeOf(fact);
    starts += 'forMs' in fact && lifeMs !== null ? startsWithin(fact.forMs, lifeMs, config.pollSeconds) + 1 : 1;
  }
  spans.sort((a, b) => a.fromMs - b.fromMs);
  let disruptedMs = 0;
  let current: Disruption | null = null;
  let instant = 0;
  instantsAtMs.sort((a, b) => a - b);
  const close = (d: Disruption): void => {
    // an ssh ended by an instant (a crash, a signal) inside it meets the disruption at once
    while (instant < instantsAtMs.length && instantsAtMs[instant]! < d.toMs) {
      const atMs = instantsAtMs[instant++]!;
      if (atMs >= d.fromMs) d.noticeMs = Math.min(d.noticeMs, atMs - d.fromMs);
      else starts++;
    }
    // its starts after the ssh that was up ends, and the one that finds the way clear again
    const windowMs = d.toMs - d.fromMs - d.noticeMs;
    if (windowMs > 0) starts += startsWithin(windowMs, d.lifeMs, config.pollSeconds) + 1;
    disruptedMs += d.toMs - d.fromMs;
  };
  for (const span of spans) {
    if (current !== null && span.fromMs <= current.toMs) {
      current.toMs = Math.max(current.toMs, span.toMs);
      current.lifeMs = Math.min(current.lifeMs, span.lifeMs);
      current.noticeMs = Math.min(current.noticeMs, span.fromMs - current.fromMs + span.noticeMs);
      continue;
    }
    if (current !== null) close(current);
    current = { ...span };
  }
  if (current !== null) close(current);
  starts += instantsAtMs.length - instant;
  if (config.maxStart >= 0) starts = Math.min(starts, config.maxStart);
  return { sshStarts: starts, why: `${formatDuration(disruptedMs)} of disruption at AUTOSSH_POLL=${config.pollSeconds}` };
}

/**
 * How long a new ssh lives during each kind of lasting fact (docs/timeline-format.md's table), or
 * null when the fact does not end ssh (latency, a bound -R port ssh does not care about); and
 * how long the ssh already up when it begins takes to notice (ServerAlive, a connection test,
 * TCP's own limits; Infinity when it goes on unaffected).
 */
function lifetimes(config: Config, timeline: Timeline): { lifeOf: (fact: Fact) => number | null; noticeOf: (fact: Fact) => number } {
  const ssh = readSshOptions(config.sshArgv);
  const { rttMs, handshakeMs } = timeline.world;
  const pollMs = config.pollSeconds * 1000;
  // D9 ends a handshake that hangs, and so does a connection test, which fails before the forwards are up
  const stalled = (limitMs: number): number => Math.min(
    limitMs,
    config.connectSeconds > 0 ? config.connectSeconds * 1000 : Infinity,
    config.monitor !== null ? config.firstPollSeconds * 1000 : Infinity,
  );
  const aliveMs = ssh.serverAliveIntervalSeconds * 1000;
  const silentNoticeMs = aliveMs > 0 ? aliveMs * ssh.serverAliveCountMax : config.monitor !== null ? pollMs + config.netTimeoutMs : KEEPALIVE_GIVE_UP_MS;
  const refusedNoticeMs = aliveMs > 0 ? aliveMs : config.monitor !== null ? pollMs : KEEPALIVE_GIVE_UP_MS;
  const noticeOf = (fact: Fact): number => {
    switch (fact.kind) {
      case 'outage':
        return fact.mode === 'reset' ? 0 : fact.mode === 'refuse' ? refusedNoticeMs : silentNoticeMs;
      case 'serverRestart': return 0;
      default: return Infinity;
    }
  };
  const connectLimitMs = ssh.connectTimeoutSeconds === null ? SYN_GIVE_UP_MS : Math.min(ssh.connectTimeoutSeconds * 1000, SYN_GIVE_UP_MS);
  const handshakeLimitMs = ssh.connectTimeoutSeconds === null ? RETRANSMIT_GIVE_UP_MS : ssh.connectTimeoutSeconds * 1000;
  const lifeOf = (fact: Fact): number | null => {
    switch (fact.kind) {
      case 'outage':
        switch (fact.mode) {
          case 'blackhole': return stalled(connectLimitMs);
          case 'stale-flows': return stalled(rttMs + handshakeLimitMs);
          case 'link': return 0;
          case 'refuse':
          case 'reset': return rttMs;
        }
        return rttMs;
      case 'serverRestart': return rttMs;
      case 'authFailure': return rttMs + handshakeMs;
      case 'remotePortBound':
        if (ssh.remoteListenPorts.length === 0) return null;
        // D10 retries on its own short schedule, whatever POLL says; counted as the ssh's life
        if (config.forwardCheck) return rttMs + handshakeMs + forwardRetrySeconds(Number.MAX_SAFE_INTEGER) * 1000;
        return ssh.exitOnForwardFailure ? rttMs + handshakeMs : null;
      case 'latency': return null;
      default: return null;
    }
  };
  return { lifeOf, noticeOf };
}

/** The whole command's estimate (every configuration), checked against the bound. */
export function estimateReplayWork(timeline: Timeline, runs: readonly RunConfig[]): { sshStarts: number; perRun: WorkEstimate[] } {
  const perRun = runs.map((run) => estimateSshStarts(timeline, run));
  return { sshStarts: perRun.reduce((sum, e) => sum + e.sshStarts, 0), perRun };
}

/** "about 34,473,622 ssh starts (the timeline's configuration: 399d of disruption at AUTOSSH_POLL=1)" */
export function describeWork(runs: readonly RunConfig[], estimate: ReturnType<typeof estimateReplayWork>): string {
  const biggest = estimate.perRun.reduce((best, e, i) => (e.sshStarts > estimate.perRun[best]!.sshStarts ? i : best), 0);
  const memoryMb = Math.ceil((estimate.sshStarts * BYTES_PER_START) / 1e6);
  return `about ${estimate.sshStarts.toLocaleString('en-US')} ssh starts to simulate (~${memoryMb.toLocaleString('en-US')} MB held until the outputs are written; `
    + `most in ${runs[biggest]!.name}: ${estimate.perRun[biggest]!.why})`;
}
