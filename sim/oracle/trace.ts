// The oracle's trace format, autossh-oracle-trace/1: what a simulated run looked like from
// outside, so ../shared/oracle/compare-traces can judge it against a real one.
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

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  readonly log: string[] = [];
  stdout = '';
  stderr = '';

  constructor(private readonly nowMs: () => number) {}

  record(kind: string, fields: Record<string, unknown> = {}): void {
    this.events.push({ t: Math.round(this.nowMs()) / 1000, kind, ...fields });
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
      format: 'autossh-oracle-trace/1',
      scenario,
      ...(description ? { description } : {}),
      command: ['autossh-lab', 'scenario', '(simulated)'],
      events,
      stdout: this.stdout,
      stderr: this.stderr,
      log: this.log,
    };
  }
}
