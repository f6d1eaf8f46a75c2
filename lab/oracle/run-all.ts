#!/usr/bin/env node
// The project's real-process conformance runner: every scenario of the directories given, run
// against a command as real processes (run-scenario.ts), its trace held to the expected trace
// beside it (NAME.trace.json) by compare-traces.ts. By default the command is the real 1.4g,
// which holds the runner itself to the goldens it recorded.
//
//   node dist/lab/oracle/run-all.js DIR... [-j N] [--tol S] [--only A,B] [--skip A,B] [--out DIR] [-- COMMAND ARGS...]
//
// A scenario in a later DIR replaces one of the same name in an earlier DIR: the project's
// expected traces (test/conformance/divergent) over 1.4g's goldens (test/fixtures/oracle).
// One line per scenario (PASS/FAIL, its wall time, the differences), then "N passed, N failed".
// Exit status: 0 all passed, 1 some failed, 2 bad usage, 130 interrupted.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTraces, DEFAULT_TOLERANCE_S, describeDifferences } from '../../sim/oracle/compare-traces.js';
import type { Trace } from '../../sim/oracle/trace.js';
import { withAutoPortPlaceholders } from './auto-port.js';
import { DEFAULT_COMMAND, runScenarioFile } from './run-scenario.js';
import { traceText } from './trace-file.js';

const USAGE = 'usage: run-all.js DIR... [-j N] [--tol SECONDS] [--only NAME,...] [--skip NAME,...] [--out DIR] [-- COMMAND [ARGS...]]\n'
  + '  (a scenario in a later DIR replaces one of the same name in an earlier DIR; the command defaults to /usr/lib/autossh/autossh)';
/** parallel runs at most: each holds a few processes and 4 ports, and mostly sleeps */
const MAX_JOBS = 32;

interface Options {
  dirs: string[];
  jobs: number;
  toleranceS: number;
  only: Set<string> | null;
  skip: Set<string>;
  out: string | null;
  command: string[];
}

class UsageError extends Error {}

export function parseRunAllArgs(argv: readonly string[]): Options {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? [...argv] : argv.slice(0, dash);
  const command = dash < 0 ? [...DEFAULT_COMMAND] : argv.slice(dash + 1);
  if (command.length === 0) throw new UsageError('nothing after --: give the command under test');
  const options: Options = { dirs: [], jobs: 4, toleranceS: DEFAULT_TOLERANCE_S, only: null, skip: new Set(), out: null, command };
  const names = (text: string): Set<string> => new Set(text.split(',').filter((n) => n !== ''));
  for (let i = 0; i < own.length; i++) {
    const word = own[i]!;
    const value = (): string => {
      const v = own[++i];
      if (v === undefined) throw new UsageError(`${word} needs a value`);
      return v;
    };
    if (word === '-j') {
      const text = value();
      const jobs = Number(text);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) throw new UsageError(`-j "${text}": expected a whole number from 1 to ${MAX_JOBS}`);
      options.jobs = jobs;
    } else if (word === '--tol') {
      const text = value();
      const tol = Number(text);
      if (!(tol >= 0) || !Number.isFinite(tol)) throw new UsageError(`--tol "${text}": expected seconds, 0 or more`);
      options.toleranceS = tol;
    } else if (word === '--only') options.only = names(value());
    else if (word === '--skip') options.skip = names(value());
    else if (word === '--out') options.out = value();
    else if (word.startsWith('-')) throw new UsageError(`unknown option ${word}`);
    else options.dirs.push(word);
  }
  if (options.dirs.length === 0) throw new UsageError('no scenario directory given');
  return options;
}

interface Job {
  name: string;
  scenario: string;
  expected: string;
  capS: number;
}

/** A scenario in a later directory replaces one of the same name in an earlier one. */
function jobsOf(options: Options): Job[] {
  const byName = new Map<string, Job>();
  for (const dir of options.dirs) {
    if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.scenario.json')).sort()) {
      const name = file.slice(0, -'.scenario.json'.length);
      if ((options.only && !options.only.has(name)) || options.skip.has(name)) continue;
      let capS = 60;
      try {
        const cap = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cap?: unknown }).cap;
        if (typeof cap === 'number') capS = cap;
      } catch {
        // run-scenario says what is wrong with it
      }
      byName.set(name, { name, scenario: join(dir, file), expected: join(dir, `${name}.trace.json`), capS });
    }
  }
  // the longest first: the pool ends sooner
  return [...byName.values()].sort((a, b) => b.capS - a.capS || a.name.localeCompare(b.name));
}

async function runOne(job: Job, options: Options, signal: AbortSignal): Promise<{ pass: boolean; detail: string }> {
  if (!existsSync(job.expected)) return { pass: false, detail: `no expected trace ${job.expected}` };
  let trace: Trace;
  try {
    trace = (await runScenarioFile(job.scenario, { command: options.command, signal })).trace;
  } catch (error) {
    return { pass: false, detail: `the run failed: ${(error as Error).message}` };
  }
  const expectedText = readFileSync(job.expected, 'utf8');
  const expected = JSON.parse(expectedText) as Trace;
  let problem: string | null = null;
  if (expectedText.includes('{{AUTOPORT')) ({ trace, problem } = withAutoPortPlaceholders(trace));
  if (options.out) writeFileSync(join(options.out, `${job.name}.trace.json`), traceText(trace));
  const differences = describeDifferences(expected.events, trace.events, options.toleranceS);
  const pass = compareTraces(expected.events, trace.events, options.toleranceS).length === 0;
  const stderr = trace.stderr ? `\nactual stderr: ${JSON.stringify(trace.stderr.slice(0, 500))}` : '';
  return { pass, detail: `${problem ? `automatic monitor port: ${problem}\n` : ''}${differences}${pass ? '' : stderr}` };
}

export async function runAll(options: Options, signal: AbortSignal, write: (line: string) => void): Promise<{ passed: number; failed: number }> {
  const jobs = jobsOf(options);
  if (options.out) mkdirSync(options.out, { recursive: true });
  const started = Date.now();
  let passed = 0;
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && !signal.aborted) {
      const job = jobs[next++]!;
      const t = Date.now();
      const { pass, detail } = await runOne(job, options, signal);
      if (signal.aborted) return;
      const seconds = ((Date.now() - t) / 1000).toFixed(1).padStart(5);
      if (pass) passed++;
      else failed++;
      write(`${pass ? 'PASS' : 'FAIL'} ${job.name.padEnd(40)} ${seconds}s`);
      if (!pass) for (const line of detail.split('\n')) write(`     ${line}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, jobs.length) }, worker));
  write(`total wall time ${Math.round((Date.now() - started) / 1000)}s, ${jobs.length} scenarios against ${options.command.join(' ')}`);
  write(`${passed} passed, ${failed} failed`);
  return { passed, failed };
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseRunAllArgs(process.argv.slice(2));
    if (options.dirs.some((d) => !existsSync(d))) throw new UsageError(`${options.dirs.find((d) => !existsSync(d))}: no such directory`);
  } catch (error) {
    process.stderr.write(`run-all: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { failed } = await runAll(options, controller.signal, (line) => process.stdout.write(`${line}\n`));
  if (controller.signal.aborted) {
    process.stderr.write('run-all: interrupted; every process it started is stopped\n');
    return 130;
  }
  return failed > 0 ? 1 : 0;
}

const invokedAs = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invokedAs === fileURLToPath(import.meta.url)) {
  main().then((code) => { process.exitCode = code; }, (error: unknown) => {
    process.stderr.write(`run-all: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
