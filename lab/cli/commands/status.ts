// autossh-lab status: what a running `autossh-ts --config FILE` says about its tunnels, read
// from its /status endpoint and printed as a table (or the JSON as it came).
// Exit status: 0 answered, 1 the daemon could not be reached or answered nonsense, 2 bad usage.
import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { EXIT_REASONS } from '../../../src/daemon/exit-reason.js';
import { RESTART_MODES, RUN_END_REASONS } from '../../../src/daemon/restart-policy.js';
import { DAEMON_PHASES, restartingWords } from '../../../src/daemon/tunnel-view.js';
import { wholeSeconds } from '../../../src/driver/wait-left.js';
import type { StatusAnswer } from '../../../src/daemon/status-server.js';
import type { LastExit, TunnelReport } from '../../../src/daemon/status-types.js';
import type { DaemonPhase } from '../../../src/daemon/tunnel-view.js';

/** The daemon's default [status] listen address. */
export const DEFAULT_STATUS_URL = 'http://127.0.0.1:9273';
/** A daemon that does not answer within this long is as good as down. */
const FETCH_TIMEOUT_MS = 5_000;
/** A /status answer is a few hundred bytes per tunnel; refuse anything absurd. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;


const reportSchema = z.object({
  name: z.string(),
  phase: z.enum(DAEMON_PHASES as [DaemonPhase, ...DaemonPhase[]]),
  up: z.boolean(),
  sshPid: z.number().int().nullable(),
  starts: z.number().int().nonnegative(),
  lastExit: z
    .object({ code: z.number().int().nullable(), signal: z.string().nullable(), reason: z.enum(EXIT_REASONS), at: z.string() })
    .nullable(),
  lastRule: z.string().nullable(),
  lastDecision: z.string().nullable(),
  since: z.string(),
  backoffSeconds: z.number().nonnegative().nullable(),
  restartPolicy: z.enum(RESTART_MODES),
  runs: z.number().int().nonnegative(),
  lastRunEnd: z
    .object({ run: z.number().int(), reason: z.enum([...RUN_END_REASONS, 'stopped']), code: z.number().int(), at: z.string() })
    .nullable(),
  restartSeconds: z.number().nonnegative().nullable(),
});

const answerSchema = z.object({
  daemon: z.object({ pid: z.number().int(), configPath: z.string().nullable(), startedAt: z.string(), version: z.string() }),
  tunnels: z.array(reportSchema),
});

class StatusCommandError extends Error {}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show a running autossh-ts daemon's tunnels (its /status endpoint): state, up, ssh pid, starts, last exit, last rule, since when")
    .option('--url <url>', "the daemon's [status] listen address as the file writes it (127.0.0.1:9273, [::1]:9273), or a URL (http://host:port/prefix)", parseStatusUrl, DEFAULT_STATUS_URL)
    .option('--json', 'print the JSON the daemon answered instead of the table')
    .action(async (options: { url: string; json?: boolean }) => {
      try {
        const { text, answer } = await fetchStatus(statusUrlOf(new URL(options.url)));
        process.stdout.write(options.json ? (text.endsWith('\n') ? text : `${text}\n`) : formatStatusTable(answer, new Date()));
      } catch (error) {
        if (!(error instanceof StatusCommandError)) throw error;
        process.stderr.write(`autossh-lab status: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}

/**
 * What --url takes: a [status] listen value as the file writes it ("127.0.0.1:9273",
 * "[::1]:9273", "localhost:9273"), or a whole http(s) URL. The URL of the daemon's base, or why not.
 */
export function statusUrlFrom(text: string): URL | string {
  // "localhost:9273" is a valid URL of the scheme "localhost:": only "://" makes a URL here
  const whole = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text);
  let url: URL;
  try {
    url = new URL(whole ? text : `http://${text}`);
  } catch {
    return whole
      ? 'expected an http URL such as http://127.0.0.1:9273'
      : 'expected host:port as in [status] listen (127.0.0.1:9273, [::1]:9273 with an IPv6 address in brackets) or an http URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'expected an http or https URL';
  return url;
}

/** commander's parser for --url: the daemon's base URL, as text (as the default is) */
function parseStatusUrl(text: string): string {
  const url = statusUrlFrom(text);
  if (typeof url === 'string') throw new InvalidArgumentError(url);
  return url.href;
}

/** The daemon's base URL (a reverse proxy's prefix kept), or its /status itself. */
function statusUrlOf(base: URL): URL {
  if (base.pathname.endsWith('/status')) return base;
  const dir = base.pathname.endsWith('/') ? base : new URL(`${base.pathname}/`, base);
  return new URL('status', dir);
}

async function fetchStatus(url: URL): Promise<{ text: string; answer: StatusAnswer }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new StatusCommandError(`cannot reach ${url.href}: ${fetchFailure(error)} (is autossh-ts --config running, with [status] listen at this address?)`);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_ANSWER_BYTES) throw new StatusCommandError(`${url.href}: an answer of ${length} bytes is not a status answer`);
  let text: string;
  try {
    text = await boundedText(response, url);
  } catch (error) {
    if (error instanceof StatusCommandError) throw error;
    throw new StatusCommandError(`${url.href}: the answer broke off: ${fetchFailure(error)}`);
  }
  if (response.status !== 200) {
    throw new StatusCommandError(`${url.href} answered ${response.status} ${response.statusText}: ${text.trim().slice(0, 200)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StatusCommandError(`${url.href} did not answer JSON (is it an autossh-ts daemon's status address?)`);
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StatusCommandError(`${url.href}: not an autossh-ts status answer: ${issue ? `${issue.path.join('.') || '$'}: ${issue.message}` : 'unknown shape'}`);
  }
  return { text, answer: parsed.data };
}

/** "connection refused", "timed out after 5 s", ... from fetch's TypeError and its cause */
function fetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${FETCH_TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  switch (cause?.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND': return 'no such host';
    case 'ECONNRESET': return 'connection reset';
    case 'EHOSTUNREACH': return 'host unreachable';
  }
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

const HEADER = ['NAME', 'STATE', 'UP', 'PID', 'STARTS', 'LAST EXIT', 'RULE', 'SINCE'] as const;

/** The table, one line per tunnel, columns padded to their widest cell. */
export function formatStatusTable(answer: StatusAnswer, now: Date): string {
  const rows = answer.tunnels.map((report) => rowOf(report, now));
  const table = [[...HEADER], ...rows];
  const widths = HEADER.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
  const up = answer.tunnels.filter((report) => report.up).length;
  const footer = `${up}/${answer.tunnels.length} tunnels up; daemon pid ${answer.daemon.pid}${answer.daemon.configPath ? `, ${answer.daemon.configPath}` : ''}, autossh-ts ${answer.daemon.version}`;
  // a restart wait, in the words of STATUS=: what the policy does and why
  const waits = answer.tunnels.flatMap((report) => {
    if (report.restartSeconds === null || report.lastRunEnd === null) return [];
    const { run, reason } = report.lastRunEnd;
    return [`${report.name}: ${restartingWords({ seconds: report.restartSeconds, policy: report.restartPolicy, run, reason })}\n`];
  });
  return `${lines.join('\n')}\n${waits.join('')}${footer}\n`;
}

function rowOf(report: TunnelReport, now: Date): string[] {
  const waitSeconds = report.backoffSeconds ?? report.restartSeconds;
  const state = waitSeconds === null ? report.phase : `${report.phase} ${wholeSeconds(waitSeconds)}s`;
  return [
    report.name,
    state,
    report.up ? 'yes' : 'no',
    report.sshPid === null ? '-' : String(report.sshPid),
    String(report.starts),
    report.lastExit === null ? '-' : `${exitWords(report.lastExit)} (${age(report.lastExit.at, now)} ago)`,
    report.lastRule ?? '-',
    age(report.since, now),
  ];
}

function exitWords(exit: LastExit): string {
  const how = exit.signal !== null ? exit.signal : exit.code !== null ? `status ${exit.code}` : null;
  if (exit.reason === 'spawn_failed') return 'spawn failed';
  if (exit.reason === 'stopped') return how === null ? 'stopped' : `stopped, ${how}`;
  return how ?? exit.reason;
}

/** "42s", "4m12s", "3h05m", "2d03h": how long ago an ISO time was */
export function age(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor((s % 86_400) / 3600))}h`;
}

/** The answer's text, read no further than MAX_ANSWER_BYTES (a server that never stops is refused). */
async function boundedText(response: Response, url: URL): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > MAX_ANSWER_BYTES) {
      await response.body.cancel().catch(() => {});
      throw new StatusCommandError(`${url.href}: an answer of more than ${MAX_ANSWER_BYTES} bytes is not a status answer`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
