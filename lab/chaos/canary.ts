// The canary: the echo traffic a chaos run sends through one tunnel to see whether it carries data
// (not "probe": in the machine a probe is autossh's own connection test). One small line through
// the forwarded port every 100 ms on one connection, each echo timed; each line is one canary
// record. A canary with no answer within CANARY_TIMEOUT_MS, or on a connection that broke, is
// lost; the canary then reconnects (at most one connect attempt at a time).
import { connect, type Socket } from 'node:net';

export const CANARY_INTERVAL_MS = 100;
/** Longer than the built-in latency spike's round trip (2 × 1.5 s), so slow is not lost. */
export const CANARY_TIMEOUT_MS = 4_000;
/** Bounded memory for a long run: 10 canaries/s for 2 hours. */
const MAX_CANARIES = 72_000;

export type CanaryOutcome = 'answered' | 'timeout' | 'broken' | 'no-connection' | 'pending';

export interface CanaryRecord {
  seq: number;
  /** ms on the run's clock */
  sentMs: number;
  answeredMs: number | null;
  outcome: CanaryOutcome;
}

export class Canary {
  readonly records: CanaryRecord[] = [];
  private socket: Socket | undefined;
  private connected = false;
  private pending = new Map<number, CanaryRecord>();
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly port: number,
    private readonly now: () => number,
    private readonly host = '127.0.0.1',
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), CANARY_INTERVAL_MS);
    this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.failPending('pending');
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** Time of the first answer to a canary sent at or after `ms`, or null. */
  firstAnswerSentFrom(ms: number): number | null {
    let best: number | null = null;
    for (const r of this.records) {
      if (r.sentMs >= ms && r.answeredMs !== null && (best === null || r.answeredMs < best)) best = r.answeredMs;
    }
    return best;
  }

  /** The latest canary that was answered or lost; the ones still waiting say nothing yet. */
  lastSettled(): CanaryRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) if (this.records[i]!.outcome !== 'pending') return this.records[i];
    return undefined;
  }

  private tick(): void {
    const now = this.now();
    for (const r of this.pending.values()) {
      if (now - r.sentMs > CANARY_TIMEOUT_MS) {
        // The connection is stuck (e.g. a blackhole): give up on it and start afresh.
        this.dropConnection('timeout');
        break;
      }
    }
    const record: CanaryRecord = { seq: ++this.seq, sentMs: now, answeredMs: null, outcome: 'pending' };
    if (this.records.length < MAX_CANARIES) this.records.push(record);
    if (this.socket && this.connected) {
      this.pending.set(record.seq, record);
      this.socket.write(`p${record.seq}\n`);
    } else {
      record.outcome = 'no-connection';
      this.ensureConnecting();
    }
  }

  private ensureConnecting(): void {
    if (this.socket) return;
    const socket = connect({ host: this.host, port: this.port });
    this.socket = socket;
    this.connected = false;
    this.buffer = '';
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (this.socket === socket) this.connected = true;
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const record = this.pending.get(Number(line.slice(1)));
        if (record) {
          record.answeredMs = this.now();
          record.outcome = 'answered';
          this.pending.delete(record.seq);
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket === socket) this.dropConnection('broken');
    });
  }

  private dropConnection(outcome: CanaryOutcome): void {
    this.failPending(outcome);
    const socket = this.socket;
    this.socket = undefined;
    this.connected = false;
    socket?.destroy();
  }

  private failPending(outcome: CanaryOutcome): void {
    for (const r of this.pending.values()) r.outcome = outcome;
    this.pending.clear();
  }
}
