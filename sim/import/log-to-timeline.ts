// An autossh log -> a timeline (the JSON value, ready to write or parse). The configuration is
// read out of the log where a line betrays it (infer-config.ts); --args and --set override it.
// The result is checked as `replay` will read it before anyone writes it.
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { formatDuration } from '../timeline/duration.js';
import { MAX_DURATION_MS, parseTimeline, TIMELINE_FORMAT } from '../timeline/parse.js';
import type { RunConfig } from '../timeline/types.js';
import { inferConfig } from './infer-config.js';
import { firstRun, inferFacts, renumberFrom, type InferredFact } from './infer.js';
import { LogError, parseLogLines, type LogLine } from './log-lines.js';

/** how long the replay runs past the last logged line: room for a replay a little slower than the log */
const TAIL_MS = 5 * 60_000;
/** a placeholder destination: ssh's arguments are never logged */
const UNKNOWN_HOST = 'unknown-host';

export interface ImportOptions {
  name: string;
  /** the log's path, for messages (default: name) */
  file?: string;
  /** --args: replaces the inferred arguments */
  args?: string[] | null;
  /** --set NAME=VALUE: on top of the inferred environment */
  settings?: readonly string[];
  syslogYear?: number;
}

export interface ImportResult {
  timeline: Record<string, unknown>;
  unknowns: string[];
  inferences: number;
  lines: number;
  facts: number;
  /** for stderr: the log imported, but something about it is likely wrong */
  warnings: string[];
}

export function logToTimeline(text: string, options: ImportOptions): ImportResult {
  const file = options.file ?? options.name;
  const parsed = parseLogLines(file, text, options.syslogYear);
  if (parsed.lines.length === 0) throw new LogError(`${file}: no autossh log lines found (expected "YYYY/MM/DD HH:MM:SS autossh[PID]: ..." or syslog lines)`);
  const whole = firstRun(parsed.lines);
  // A log that opens mid-run (rotated, cut) starts the replay at its first logged start: what
  // came before belonged to an ssh the replay never runs.
  const firstStartAt = whole.lines.findIndex((l) => l.message.startsWith('starting ssh (count '));
  const opensMidRun = firstStartAt >= 0 && !/^starting ssh \(count 1\b/.test(whole.lines[firstStartAt]!.message);
  const run = opensMidRun ? { ...whole, lines: whole.lines.slice(firstStartAt) } : whole;
  const startEpochMs = run.lines[0]!.epochMs;
  checkSpan(file, run.lines, parsed.yearTurns);
  const lastEpochMs = run.lines[run.lines.length - 1]!.epochMs;
  const raw = inferFacts(run.lines, startEpochMs);
  const inference = renumberFrom(raw);
  const inferred = inferConfig(run.lines, raw.starts, raw.facts, startEpochMs);
  const firstLogged = raw.starts[0]?.n ?? 1;

  const env = { ...inferred.env };
  for (const setting of options.settings ?? []) {
    const eq = setting.indexOf('=');
    if (eq <= 0) throw new LogError(`--set "${setting}": expected NAME=VALUE, e.g. AUTOSSH_POLL=60`);
    // assigned, "__proto__" would set the object's prototype and vanish
    if (setting.slice(0, eq) === '__proto__') throw new LogError(`--set "${setting}": "__proto__" is not an environment variable`);
    env[setting.slice(0, eq)] = setting.slice(eq + 1);
  }
  const args = options.args ?? ['-M', inferred.monitor ?? '0', UNKNOWN_HOST];
  const config: RunConfig = { name: 'logged', args, env };
  const command = parseCommandLine(config.args, config.env);
  if (command.kind !== 'run') {
    // autossh complains of a missing destination before a bad value: look past it for the value
    const withHost = command.kind === 'usage' ? parseCommandLine([...config.args, UNKNOWN_HOST], config.env) : command;
    const why = withHost.kind === 'error' ? withHost.message
      : command.kind === 'usage' ? 'no destination (ssh\'s arguments are not in the log: --args must give them)' : 'it only prints its version';
    throw new LogError(`the configuration ${describeConfig(config)}: ${why}`);
  }
  const netTimeoutMs = command.config.netTimeoutMs;

  const facts = inference.facts.map((f) => factJson(f, netTimeoutMs));
  const unknowns = [...parsed.caveats, ...inferred.unknowns.filter((u) => !overridden(u, options)), ...inference.unknowns];
  if (parsed.skipped > 0) unknowns.push(`${parsed.skipped} lines were not autossh log lines and were skipped`);
  if (opensMidRun) {
    unknowns.push(`the ${firstStartAt} line(s) before the first logged start (left out), and the grace-time tries counted before the log opens: `
      + 'the replay starts with no fast tries behind it, so its first waits may be shorter than logged');
  }
  if (run.others.length > 0) {
    unknowns.push(`the log holds ${run.others.length} more autossh run(s) or tunnel(s) (${run.others.slice(0, 5).join(', ')}${run.others.length > 5 ? ', …' : ''}): only the first (${run.who}) is imported`);
  }
  const timeline = {
    format: TIMELINE_FORMAT,
    name: options.name,
    start: new Date(startEpochMs).toISOString(),
    duration: `${lastEpochMs - startEpochMs + TAIL_MS}ms`,
    config: { name: config.name, args: config.args, env: config.env },
    facts,
    unknowns,
    source: {
      kind: 'log',
      file,
      debug: inferred.debug,
      inferences: inferred.inferences,
      decisions: inference.decisions.map((d) => ({ at: `${d.atMs}ms`, line: d.lineNo, message: renumbered(d.message, firstLogged - 1) })),
    },
  };
  // what replay would reject must never be written: a failure here is the importer's bug
  parseTimeline(JSON.parse(JSON.stringify(timeline)), options.name);
  const warnings: string[] = [];
  if (inference.decisions.length === 0 && inferred.inferences.length === 0) {
    warnings.push(`none of the ${run.lines.length} log line(s) of ${run.who ?? 'the log'} was a message autossh writes ("starting ssh (count N)", `
      + '"ssh exited with error status N; restarting ssh", ...): the timeline holds no facts and no decisions to check. '
      + 'Are these autossh\'s own lines, in its wording?');
  }
  return { timeline, unknowns, inferences: inferred.inferences.length, lines: run.lines.length, facts: facts.length, warnings };
}

/**
 * The run must fit in one replay (MAX_DURATION_MS, with the tail added): the first line past
 * that is named, so the fix (a wrong year, an absurd timestamp, two logs joined) is found in
 * the log rather than in the timeline's fields.
 */
function checkSpan(file: string, lines: readonly LogLine[], yearTurns: number): void {
  const first = lines[0]!;
  const limitMs = MAX_DURATION_MS - TAIL_MS;
  const far = lines.find((l) => l.epochMs - first.epochMs > limitMs);
  if (far === undefined) return;
  const turns = yearTurns > 0
    ? `; classic syslog lines carry no year, and the log's month goes from December back to January ${yearTurns} time(s), each taken as a new year`
    : '';
  throw new LogError(`${file}: line ${far.lineNo}: ${new Date(far.epochMs).toISOString()} is ${formatDuration(far.epochMs - first.epochMs)} after the run's first line `
    + `(line ${first.lineNo}, ${new Date(first.epochMs).toISOString()}); a replay covers at most ${formatDuration(limitMs)} of log${turns}`);
}

/** "starting ssh (count 7 of 9)" as the replay of a log opening at ssh #3 says it: "(count 5 of 7)" */
function renumbered(message: string, shift: number): string {
  if (shift === 0) return message;
  return message.replace(/^starting ssh \(count (\d+)(?: of (\d+))?\)/, (_, n: string, of?: string) =>
    `starting ssh (count ${Number(n) - shift}${of === undefined ? '' : ` of ${Math.max(1, Number(of) - shift)}`})`);
}

function describeConfig(config: RunConfig): string {
  const env = Object.entries(config.env).map(([k, v]) => `${k}=${v}`);
  return `"${[...env, 'autossh', ...config.args].join(' ')}"`;
}

/** an unknown about a setting the caller then gave */
function overridden(unknown: string, options: ImportOptions): boolean {
  const given = (options.settings ?? []).map((s) => s.slice(0, Math.max(0, s.indexOf('='))));
  if (given.some((name) => name !== '' && unknown.startsWith(`${name}:`))) return true;
  return options.args != null && (unknown.startsWith('-M:') || unknown.startsWith("ssh's own arguments"));
}

function factJson(f: InferredFact, netTimeoutMs: number): Record<string, unknown> {
  const note = `log line ${f.lineNo}`;
  // tied to the ssh it happened to; before the first ssh, to the clock
  const when = f.ssh === 0 ? { at: `${f.atMs}ms` } : { ssh: f.ssh, after: `${f.afterMs}ms` };
  switch (f.kind) {
    case 'sshCrash':
      return f.signal ? { ...when, kind: 'sshCrash', signal: f.signal, note } : { ...when, kind: 'sshCrash', exit: f.exit, note };
    case 'signal':
      return { ...when, kind: 'signal', signal: f.signal, note };
    case 'portDown': {
      // the test that failed at this line started one net timeout earlier (loop form); cover
      // it with a second's margin either side of the log's resolution
      const base = f.ssh === 0 ? f.atMs : f.afterMs;
      const fromMs = Math.max(0, base - netTimeoutMs - 1000);
      const from = f.ssh === 0 ? { at: `${fromMs}ms` } : { ssh: f.ssh, after: `${fromMs}ms` };
      return { ...from, kind: 'outage', mode: 'blackhole', for: formatDuration(base - fromMs + 1000), note };
    }
  }
}
