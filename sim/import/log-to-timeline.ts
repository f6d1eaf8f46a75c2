// An autossh log -> a timeline (the JSON value, ready to write or parse). The configuration is
// not in the log: it comes from the caller (--args, --set), or a placeholder that says so.
import type { RunConfig } from '../timeline/types.js';
import { TIMELINE_FORMAT } from '../timeline/parse.js';
import { inferFacts } from './infer.js';
import { parseLogLines } from './log-lines.js';

/** how long the replay runs past the last logged line */
const TAIL_MS = 60_000;

export interface ImportOptions {
  name: string;
  config: RunConfig | null;
  /** for the "port down" outages: the net timeout of that configuration */
  netTimeoutMs: number;
  syslogYear?: number;
}

export interface ImportResult {
  timeline: Record<string, unknown>;
  unknowns: string[];
  lines: number;
  facts: number;
}

export function logToTimeline(text: string, options: ImportOptions): ImportResult {
  const parsed = parseLogLines(text, options.syslogYear);
  if (parsed.lines.length === 0) throw new Error(`${options.name}: no autossh log lines found (expected "YYYY/MM/DD HH:MM:SS autossh[PID]: ..." or syslog lines)`);
  const inference = inferFacts(parsed.lines);
  const startEpochMs = parsed.lines[0]!.epochMs;
  const lastEpochMs = parsed.lines[parsed.lines.length - 1]!.epochMs;
  // Lines share a second: facts logged in order happened in order, so two in the same
  // second are kept 1 ms apart (the second one meets the ssh started after the first).
  let lastOffsetMs = -1;
  const offset = (epochMs: number): string => {
    lastOffsetMs = Math.max(epochMs - startEpochMs, lastOffsetMs + 1);
    return `${lastOffsetMs}ms`;
  };
  const facts: Array<Record<string, unknown>> = inference.facts.map((f) => {
    const note = `log line ${f.lineNo}`;
    switch (f.kind) {
      case 'sshCrash':
        return f.signal ? { at: offset(f.atEpochMs), kind: 'sshCrash', signal: f.signal, note } : { at: offset(f.atEpochMs), kind: 'sshCrash', exit: f.exit, note };
      case 'signal':
        return { at: offset(f.atEpochMs), kind: 'signal', signal: f.signal, note };
      case 'portDown': {
        // the test that failed at this line started one net timeout earlier (loop form);
        // cover it with a second's margin either side of the log's resolution
        const fromMs = Math.max(0, f.atEpochMs - startEpochMs - options.netTimeoutMs - 1000);
        return { at: `${fromMs}ms`, kind: 'outage', mode: 'blackhole', for: `${f.atEpochMs - startEpochMs - fromMs + 1000}ms`, note };
      }
    }
  });
  const unknowns = [...parsed.caveats, ...inference.unknowns];
  if (parsed.skipped > 0) unknowns.push(`${parsed.skipped} lines were not autossh log lines and were skipped`);
  if (!options.config) unknowns.push('the configuration (autossh arguments and AUTOSSH_* variables): not in the log; pass --args and --set');
  const config = options.config ?? { name: 'unknown', args: ['-M', '0', 'unknown-host'], env: {} };
  return {
    timeline: {
      format: TIMELINE_FORMAT,
      name: options.name,
      start: new Date(startEpochMs).toISOString(),
      duration: `${lastEpochMs - startEpochMs + TAIL_MS}ms`,
      config: { name: config.name, args: config.args, env: config.env },
      facts,
      unknowns,
    },
    unknowns,
    lines: parsed.lines.length,
    facts: facts.length,
  };
}
