// The wait before the coming start, and the rule that sets it. In this order: the short
// forward-retry schedule (D10) while a run of forward failures goes on; else 1.4g's grace time
// (decisions/grace-time.ts); either way plus this start's jitter (D12). No wait at all: start now.
// The machine's guard (is a wait due?) and its action (arm it, say why) both read this one plan.
import { forwardRetrySeconds } from './forward-retry.js';
import { decideGrace } from './grace-time.js';
import { jitterMs } from './jitter.js';

export interface WaitFacts {
  /** forward failures in a row that the coming start retries (D10); 0 once the run has ended */
  forwardFailures: number;
  /** fast tries in a row so far, and when the previous ssh started (grace time) */
  graceTries: number;
  lastStartMs: number | null;
  nowMs: number;
  pollSeconds: number;
  /** the coming start's number (1.4g's start_count + 1): jitter's draw */
  startNumber: number;
  jitterSeed: number;
  jitterSeconds: number;
}

export type WaitRule = 'forwardRetry' | 'graceTime' | 'jitter';

export interface WaitPlan {
  /** 0: start now */
  waitMs: number;
  /** the rule that sets the wait; null when there is none */
  rule: WaitRule | null;
  /** grace time's count, kept whatever the rule (1.4g counts every start) */
  graceTries: number;
  graceSeconds: number;
  /** the forward-retry schedule's wait (0 when not retrying a forward) */
  forwardRetrySeconds: number;
  jitterMs: number;
}

export function planWait(facts: WaitFacts): WaitPlan {
  const grace = decideGrace(facts.graceTries, facts.lastStartMs, facts.nowMs, facts.pollSeconds);
  const extraMs = jitterMs(facts.jitterSeed, facts.startNumber, facts.jitterSeconds);
  const retrySeconds = forwardRetrySeconds(facts.forwardFailures);
  const baseMs = retrySeconds > 0 ? retrySeconds * 1000 : grace.graceSeconds * 1000;
  const waitMs = baseMs + extraMs;
  const rule: WaitRule | null = retrySeconds > 0 ? 'forwardRetry' : grace.graceSeconds > 0 ? 'graceTime' : extraMs > 0 ? 'jitter' : null;
  return { waitMs, rule, graceTries: grace.tries, graceSeconds: grace.graceSeconds, forwardRetrySeconds: retrySeconds, jitterMs: extraMs };
}
