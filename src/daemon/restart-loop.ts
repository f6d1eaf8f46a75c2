// One tunnel's runs, one after another, as its restart policy says (./restart-policy.ts): start
// the first, and after each end either wait and start the next or end for good. The owner
// starts each run and tells its end; an operator's signals act on a wait as on a run (SIGUSR1
// starts the next run now, a signal to exit or a reload ends the wait at once).
//
// The clock and the timer come in (LoopTimer), so the same loop runs a daemon's tunnel on real
// time and a simulated fleet on a virtual clock (test/daemon/restart-properties.test.ts).
import type { SupervisorSignal } from '../machine/signals.js';
import { historyNeeded, planRestart, type RestartPolicy, type RestartRule, type RunEnd, type RunEndReason, type RunRecord } from './restart-policy.js';

export interface LoopTimer {
  now(): number;
  /** call `fire` in `delayMs` (never before this call returns); the result cancels it */
  after(delayMs: number, fire: () => void): () => void;
}

/** The wait before the next run. */
export interface RestartWait {
  /** the run that ended, and why */
  run: number;
  reason: RunEndReason;
  code: number;
  /** when the next run starts, on the loop's clock */
  dueMs: number;
  rule: RestartRule;
  why: string;
}

/** How the tunnel ended for good. */
export interface FinalEnd {
  /** the last run's number (0 if none ever started) and how it ended */
  run: number;
  reason: RunEnd;
  code: number;
  /** why no run follows */
  why: string;
}

export interface LoopOwner {
  /** start run number `run`; its end comes back through runEnded (maybe before this returns) */
  startRun(run: number): void;
  /** the run ended and the next one waits (the wait is the loop's `wait` too) */
  waiting?(wait: RestartWait): void;
  /** the next run starts now: the end that led here, and whether an operator cut the wait short */
  restarting?(after: RestartWait, early: boolean): void;
  /** no run runs and none will */
  ended(end: FinalEnd): void;
}

export type LoopPhase = 'idle' | 'running' | 'waiting' | 'ended';

export class RestartLoop {
  private state: LoopPhase = 'idle';
  private readonly history: RunRecord[] = [];
  private currentWait: RestartWait | null = null;
  private cancelWait: (() => void) | null = null;
  private stopRequested = false;
  private finalEnd: FinalEnd | null = null;

  constructor(
    private policy: RestartPolicy,
    private readonly timer: LoopTimer,
    private readonly jitter: (run: number) => number,
    private readonly owner: LoopOwner,
  ) {}

  get phase(): LoopPhase {
    return this.state;
  }

  get wait(): RestartWait | null {
    return this.currentWait;
  }

  get final(): FinalEnd | null {
    return this.finalEnd;
  }

  /** runs started so far */
  get runs(): number {
    return this.history.at(-1)?.run ?? 0;
  }

  get restartPolicy(): RestartPolicy {
    return this.policy;
  }

  /** The last run that ended, and how. */
  get lastEnd(): { run: number; atMs: number; code: number; reason: RunEnd } | null {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const record = this.history[i]!;
      if (record.end !== null) return { run: record.run, ...record.end };
    }
    return null;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.begin();
  }

  /** The current run's machine ended with `code`; `reason` as RunEndWatch read it. */
  runEnded(code: number, reason: RunEndReason): void {
    if (this.state !== 'running') throw new Error(`restart loop: a run ended while ${this.state}`);
    const record = this.history.at(-1)!;
    const atMs = this.timer.now();
    record.end = { atMs, code, reason: this.stopRequested ? 'stopped' : reason };
    const plan = planRestart(this.policy, this.history, atMs, this.jitter);
    if (!plan.restart) return this.finish(plan.why);
    this.waitUntil({ run: record.run, reason, code, dueMs: plan.atMs, rule: plan.rule, why: plan.why });
  }

  /**
   * SIGUSR1: a waiting tunnel starts its next run now. False when there is no wait (a running
   * run takes the signal itself).
   */
  restartNow(): boolean {
    if (this.state !== 'waiting') return false;
    this.restart(true);
    return true;
  }

  /**
   * A signal to exit, or a reload removing or changing the tunnel: no run follows. A wait ends
   * now (true: the tunnel has ended); a running run must be stopped by its owner, and its end
   * is final.
   */
  stop(): boolean {
    this.stopRequested = true;
    if (this.state === 'idle') {
      this.finish('it was stopped before it started', 'stopped');
      return true;
    }
    if (this.state !== 'waiting') return this.state === 'ended';
    this.clearWait();
    this.finish('it was stopped', 'stopped');
    return true;
  }

  /** a signal to exit or a reload asked it to stop: no run follows, and the running one's end is `stopped` */
  get stopAsked(): boolean {
    return this.stopRequested;
  }

  /**
   * A signal, as a daemon tunnel takes it: first its restart loop's part, then the running run's
   * machine's, as the drop-in's would. SIGUSR1 ends a restart wait (the next run starts now), else
   * restarts the running ssh; SIGHUP and SIGUSR2 are the running machine's alone; a signal to exit
   * ends a wait at once, or stops the running ssh (KILLTIME applies), and no run follows.
   * `running`: the machine of the run under way, if any, read once the loop has had its say.
   */
  takeSignal(signal: SupervisorSignal, running: () => { signal(signal: SupervisorSignal): void } | null): void {
    if (signal === 'SIGUSR1') {
      if (!this.restartNow()) running()?.signal(signal);
      return;
    }
    if (signal === 'SIGHUP' || signal === 'SIGUSR2') {
      running()?.signal(signal);
      return;
    }
    if (!this.stop()) running()?.signal(signal);
  }

  /** A reload changed the policy: it counts from now on, and a wait is planned again under it. */
  setPolicy(policy: RestartPolicy): void {
    this.policy = policy;
    const wait = this.currentWait;
    if (this.state !== 'waiting' || wait === null) return;
    const plan = planRestart(policy, this.history, this.timer.now(), this.jitter);
    this.clearWait();
    if (!plan.restart) return this.finish(plan.why);
    this.waitUntil({ ...wait, dueMs: plan.atMs, rule: plan.rule, why: plan.why });
  }

  private begin(): void {
    const run = this.runs + 1;
    this.history.push({ run, startedAtMs: this.timer.now(), end: null });
    // bounded: a longer history changes no plan
    const keep = historyNeeded(this.policy);
    if (this.history.length > keep) this.history.splice(0, this.history.length - keep);
    this.state = 'running';
    this.owner.startRun(run);
  }

  private waitUntil(wait: RestartWait): void {
    this.state = 'waiting';
    this.currentWait = wait;
    this.cancelWait = this.timer.after(Math.max(0, wait.dueMs - this.timer.now()), () => {
      this.cancelWait = null;
      if (this.state === 'waiting') this.restart(false);
    });
    this.owner.waiting?.(wait);
  }

  private restart(early: boolean): void {
    const wait = this.currentWait!;
    this.clearWait();
    this.owner.restarting?.(wait, early);
    this.begin();
  }

  private clearWait(): void {
    this.cancelWait?.();
    this.cancelWait = null;
    this.currentWait = null;
  }

  private finish(why: string, reason?: RunEnd): void {
    const last = this.history.at(-1);
    this.state = 'ended';
    this.finalEnd = {
      run: last?.run ?? 0,
      reason: reason ?? last?.end?.reason ?? 'stopped',
      // a tunnel stopped on purpose ends as a signalled autossh does
      code: reason === 'stopped' ? 1 : (last?.end?.code ?? 1),
      why,
    };
    this.owner.ended(this.finalEnd);
  }
}
