// The oracle's trace format, autossh-oracle-trace/1: what a simulated run looked like from
// outside, so compare-traces.ts can judge it against a real one.
import { LineSpool } from './line-spool.js';

export interface TraceEvent {
  t: number;
  kind: string;
  [field: string]: unknown;
}

export interface Trace {
  format: 'autossh-oracle-trace/1';
  scenario: string;
  description?: string;
  command: string[];
  events: TraceEvent[];
  stdout: string;
  stderr: string;
  log: string[];
}

/** Where a streamed trace's text goes, in order: the pieces joined are the whole file. */
export type TraceWrite = (chunk: string) => void;

const MARK = '\u0000events\u0000';
const LOG_MARK = '\u0000log\u0000';

/**
 * The trace's text as `${JSON.stringify(trace, null, 1)}\n` would give it, but each event is
 * written as it happens instead of held: a year's trace never sits in memory. The events come
 * in time order (the clock only goes forward), so toTrace's sort would leave them as they are.
 */
class TraceStream {
  private count = 0;
  private lastT = -Infinity;

  constructor(private readonly write: TraceWrite, private readonly head: Omit<Trace, 'events' | 'stdout' | 'stderr' | 'log'>) {}

  event(event: TraceEvent): void {
    if (event.t < this.lastT) throw new Error(`trace stream: event at ${event.t} s after one at ${this.lastT} s`);
    this.lastT = event.t;
    // an event is two levels deep: its lines are indented by two more spaces (strings hold no raw newline)
    const text = JSON.stringify(event, null, 1).replaceAll('\n', '\n  ');
    if (this.count++ === 0) {
      const open = JSON.stringify({ ...this.head, events: [MARK] }, null, 1);
      this.write(open.slice(0, open.indexOf(JSON.stringify(MARK))) + text);
    } else {
      this.write(`,\n  ${text}`);
    }
  }

  /** The rest of the text: the events' end, stdout, stderr, and the log's lines as they come from the spool. */
  close(tail: Pick<Trace, 'stdout' | 'stderr'>, log: LineSpool): void {
    const logValue = log.count === 0 ? [] : [LOG_MARK];
    const whole = this.count === 0
      ? JSON.stringify({ ...this.head, events: [], ...tail, log: logValue }, null, 1)
      : JSON.stringify({ events: [MARK], ...tail, log: logValue }, null, 1);
    const afterEvents = this.count === 0 ? 0 : whole.indexOf(JSON.stringify(MARK)) + JSON.stringify(MARK).length;
    if (log.count === 0) {
      this.write(`${whole.slice(afterEvents)}\n`);
      return;
    }
    // the log array is indented as JSON.stringify(trace, null, 1) indents it: two spaces a line
    const at = whole.indexOf(JSON.stringify(LOG_MARK));
    this.write(whole.slice(afterEvents, at));
    let lines: string[] = [];
    let first = true;
    for (const line of log.lines()) {
      lines.push(line);
      if (lines.length >= 4096) {
        this.write(`${first ? '' : ',\n  '}${lines.join(',\n  ')}`);
        first = false;
        lines = [];
      }
    }
    if (lines.length > 0) this.write(`${first ? '' : ',\n  '}${lines.join(',\n  ')}`);
    this.write(`${whole.slice(at + JSON.stringify(LOG_MARK).length)}\n`);
  }
}

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  readonly log: string[] = [];
  stdout = '';
  stderr = '';
  /** events and log lines so far: what a run's size is bounded by */
  records = 0;
  private stream: TraceStream | null = null;
  /** a streamed trace's log lines, until the end (they come after the events) */
  private spool: LineSpool | null = null;

  constructor(private readonly nowMs: () => number) {}

  /** Write events to `write` as they happen instead of keeping them; finish with closeStream. */
  /** `logLinesInMemory`: how many log lines wait in memory before the rest wait on disk */
  streamTo(write: TraceWrite, scenario: string, description: string | undefined, logLinesInMemory?: number): void {
    this.stream = new TraceStream(write, traceHead(scenario, description));
    this.spool = new LineSpool(logLinesInMemory);
  }

  closeStream(): void {
    if (this.stream && this.spool) this.stream.close({ stdout: this.stdout, stderr: this.stderr }, this.spool);
    this.dropSpool();
  }

  /** Lets go of a streamed log's spool (its file has no name: nothing is left behind either way). */
  dropSpool(): void {
    this.spool?.close();
    this.spool = null;
  }

  record(kind: string, fields: Record<string, unknown> = {}): void {
    this.records++;
    const event = { t: Math.round(this.nowMs()) / 1000, kind, ...fields };
    if (this.stream) this.stream.event(event);
    else this.events.push(event);
  }

  note(message: string): void {
    this.records++;
    const line = `[${(this.nowMs() / 1000).toFixed(1)}s] ${message}`;
    if (this.spool) this.spool.push(JSON.stringify(line));
    else this.log.push(line);
  }

  toTrace(scenario: string, description: string | undefined): Trace {
    const events = this.events
      .map((event, index) => ({ event, index }))
      .sort((a, b) => a.event.t - b.event.t || a.index - b.index)
      .map(({ event }) => event);
    return {
      ...traceHead(scenario, description),
      events,
      stdout: this.stdout,
      stderr: this.stderr,
      log: this.log,
    };
  }
}

function traceHead(scenario: string, description: string | undefined): Omit<Trace, 'events' | 'stdout' | 'stderr' | 'log'> {
  return {
    format: 'autossh-oracle-trace/1',
    scenario,
    ...(description ? { description } : {}),
    command: ['autossh-lab', 'scenario', '(simulated)'],
  };
}
