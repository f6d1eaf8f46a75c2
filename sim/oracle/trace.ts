// The oracle's trace format, autossh-oracle-trace/1: what a simulated run looked like from
// outside, so compare-traces.ts can judge it against a real one.
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

  close(tail: Pick<Trace, 'stdout' | 'stderr' | 'log'>): void {
    if (this.count === 0) {
      this.write(`${JSON.stringify({ ...this.head, events: [], ...tail }, null, 1)}\n`);
      return;
    }
    const whole = JSON.stringify({ events: [MARK], ...tail }, null, 1);
    this.write(`${whole.slice(whole.indexOf(JSON.stringify(MARK)) + JSON.stringify(MARK).length)}\n`);
  }
}

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  readonly log: string[] = [];
  stdout = '';
  stderr = '';
  private stream: TraceStream | null = null;

  constructor(private readonly nowMs: () => number) {}

  /** Write events to `write` as they happen instead of keeping them; finish with closeStream. */
  streamTo(write: TraceWrite, scenario: string, description: string | undefined): void {
    this.stream = new TraceStream(write, traceHead(scenario, description));
  }

  closeStream(): void {
    this.stream?.close({ stdout: this.stdout, stderr: this.stderr, log: this.log });
  }

  record(kind: string, fields: Record<string, unknown> = {}): void {
    const event = { t: Math.round(this.nowMs()) / 1000, kind, ...fields };
    if (this.stream) this.stream.event(event);
    else this.events.push(event);
  }

  note(message: string): void {
    this.log.push(`[${(this.nowMs() / 1000).toFixed(1)}s] ${message}`);
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
