// Debian's promtool (package prometheus, installed by scripts/setup.sh) run on the shipped alert
// rules, and the few facts the tests read from the rules file itself. The file is YAML written
// for people; these read it by its lines, which is enough for a file whose layout we own:
// `- alert: Name`, `expr: ...` on one line, `for: 5m`. The tests check the count against
// promtool's own, so a rule these readers miss fails them.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PROMTOOL = '/usr/bin/promtool';
export const RULES_FILE = fileURLToPath(new URL('../../contrib/prometheus/autossh-ts.rules.yml', import.meta.url));
export const RULES_TEST_FILE = fileURLToPath(new URL('../../contrib/prometheus/autossh-ts.rules.test.yml', import.meta.url));

/** promtool is quick (0.1-4 s here); a run past this is stuck and killed. */
const PROMTOOL_TIMEOUT_MS = 30_000;
const OUTPUT_LIMIT_BYTES = 1024 * 1024;

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs promtool with `args`, `stdin` written to it; resolves with its exit code and output. */
export function promtool(args: readonly string[], stdin = '', cwd?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(PROMTOOL, args, { cwd, timeout: PROMTOOL_TIMEOUT_MS, maxBuffer: OUTPUT_LIMIT_BYTES }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`promtool ${args.join(' ')}: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

/** The alerts of a rules file, in its order. */
export function alertNames(rulesText: string): string[] {
  return [...rulesText.matchAll(/^ +- alert: (\S+)$/gm)].map((m) => m[1]!);
}

/** Every `expr:` of a rules file (each on one line). */
export function ruleExpressions(rulesText: string): string[] {
  return [...rulesText.matchAll(/^ +expr: (.+)$/gm)].map((m) => m[1]!);
}

/**
 * The rules file with every `for:` set to `duration`, and nothing else changed: what a test with a
 * real Prometheus loads, so that it waits seconds, not the minutes the shipped file says.
 */
export function withForShortened(rulesText: string, duration: string): string {
  const shortened = rulesText.replace(/^( +for: )\S+$/gm, `$1${duration}`);
  const forLines = rulesText.match(/^ +for: \S+$/gm) ?? [];
  if (forLines.length !== alertNames(rulesText).length) {
    throw new Error(`${forLines.length} for: lines for ${alertNames(rulesText).length} alerts: the file's layout changed`);
  }
  return shortened;
}

/** A rules file as shipped. */
export function shippedRules(): string {
  return readFileSync(RULES_FILE, 'utf8');
}

export interface SeriesSelector {
  name: string;
  labels: Record<string, string>;
}

/** The `- series: 'name{a="b",...}'` lines of a promtool test file. */
export function testInputSeries(testText: string): SeriesSelector[] {
  return [...testText.matchAll(/^ +- series: '(.+)'$/gm)].map((m) => parseSelector(m[1]!));
}

/** `name{a="b",c="d"}` with plain label values (no escapes: the test file has none). */
function parseSelector(text: string): SeriesSelector {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(text);
  if (!m) throw new Error(`not a series: ${text}`);
  const labels: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter((p) => p !== '')) {
    const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"$/.exec(pair);
    if (!l) throw new Error(`not a label in ${text}: ${pair}`);
    labels[l[1]!] = l[2]!;
  }
  return { name: m[1]!, labels };
}
