// The parsed TOML document -> the file's settings, each key checked: unknown keys and wrong
// types are errors at their line. Nothing here knows autossh's rules; tunnel-definition.ts does.
import { TomlDate } from 'smol-toml';
import { quoted } from './echo.js';
import { variableProblem } from './env-rules.js';
import type { KeyPath } from './key-lines.js';
import { DEFAULT_STATUS_LISTEN, parseListen } from './listen.js';
import type { Locator } from './locator.js';
import { RESTART_KEYS, readRestartSettings, type RestartSettings } from './restart-settings.js';
import { splitShellWords, ShellWordsError } from './shell-words.js';
import type { StatusListen } from './types.js';

/** a bound on the file's size of work: far beyond what one process should supervise */
export const MAX_TUNNELS = 10_000;
export const MAX_NAME_LENGTH = 64;
/** safe as a Prometheus label value, a log field and a systemd STATUS= word */
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export interface TunnelEntry {
  /** its index among the file's [[tunnel]] entries */
  index: number;
  name: string;
  args: string[];
  /** its own env, values as strings */
  env: Record<string, string>;
  /** its own restart policy keys */
  restart: RestartSettings;
}

export interface FileSettings {
  status: StatusListen | null;
  logFormat: 'text' | 'json';
  defaultsEnv: Record<string, string>;
  /** [defaults]' restart policy keys */
  defaultsRestart: RestartSettings;
  tunnels: TunnelEntry[];
}

type Table = Record<string, unknown>;

const TOP_KEYS = ['status', 'log', 'defaults', 'tunnel'];
const STATUS_KEYS = ['listen'];
const LOG_KEYS = ['format'];
const DEFAULTS_KEYS = ['env', ...RESTART_KEYS];
const TUNNEL_KEYS = ['name', 'args', 'env', ...RESTART_KEYS];

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof TomlDate) && !(value instanceof Date);
}

/** "a string", "an array", ...: what the file holds, for a message */
export function kindOf(value: unknown): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number with a fraction';
  if (typeof value === 'boolean') return 'a boolean';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof TomlDate || value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  return typeof value;
}

function checkKeys(table: Table, known: readonly string[], where: string, path: KeyPath, at: Locator): void {
  for (const key of Object.keys(table)) {
    if (!known.includes(key)) at.fail([...path, key], `unknown key ${quoted(key)} in ${where} (known keys: ${known.join(', ')})`);
  }
}

function expectTable(value: unknown, what: string, path: KeyPath, at: Locator): Table {
  if (!isTable(value)) at.fail(path, `${what} must be a table, not ${kindOf(value)}`);
  return value;
}

export function readFileSettings(doc: Table, at: Locator): FileSettings {
  checkKeys(doc, TOP_KEYS, 'the file\'s top level', [], at);
  const defaults = doc.defaults === undefined ? { env: {}, restart: {} } : readDefaults(doc.defaults, at);
  return {
    status: doc.status === undefined ? null : readStatus(doc.status, at),
    logFormat: doc.log === undefined ? 'text' : readLog(doc.log, at),
    defaultsEnv: defaults.env,
    defaultsRestart: defaults.restart,
    tunnels: readTunnels(doc.tunnel, at),
  };
}

function readStatus(value: unknown, at: Locator): StatusListen {
  const status = expectTable(value, '[status]', ['status'], at);
  checkKeys(status, STATUS_KEYS, '[status]', ['status'], at);
  const listen = status.listen ?? DEFAULT_STATUS_LISTEN;
  if (typeof listen !== 'string') at.fail(['status', 'listen'], `[status] listen must be a string such as "${DEFAULT_STATUS_LISTEN}", not ${kindOf(listen)}`);
  const parsed = parseListen(listen);
  if (typeof parsed === 'string') at.fail(['status', 'listen'], `[status] ${parsed}`);
  return parsed;
}

function readLog(value: unknown, at: Locator): 'text' | 'json' {
  const log = expectTable(value, '[log]', ['log'], at);
  checkKeys(log, LOG_KEYS, '[log]', ['log'], at);
  const format = log.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    const shown = typeof format === 'string' ? quoted(format) : kindOf(format);
    at.fail(['log', 'format'], `[log] format must be "text" or "json", not ${shown}`);
  }
  return format;
}

function readDefaults(value: unknown, at: Locator): { env: Record<string, string>; restart: RestartSettings } {
  const defaults = expectTable(value, '[defaults]', ['defaults'], at);
  checkKeys(defaults, DEFAULTS_KEYS, '[defaults]', ['defaults'], at);
  return {
    env: defaults.env === undefined ? {} : readEnvTable(defaults.env, '[defaults] env', ['defaults', 'env'], at),
    restart: readRestartSettings(defaults, '[defaults]', ['defaults'], at, kindOf),
  };
}

/** an env table: AUTOSSH_* names only, string values (whole numbers are written out) */
function readEnvTable(value: unknown, where: string, path: KeyPath, at: Locator): Record<string, string> {
  const table = expectTable(value, where, path, at);
  const env: Record<string, string> = {};
  for (const [name, setting] of Object.entries(table)) {
    const problem = variableProblem(name);
    if (problem !== null) at.fail([...path, name], `${where}: ${problem}`);
    if (typeof setting === 'string') env[name] = setting;
    else if (typeof setting === 'number' && Number.isSafeInteger(setting)) env[name] = String(setting);
    else at.fail([...path, name], `${where}: ${name} must be a string (or a whole number), not ${kindOf(setting)}`);
  }
  return env;
}

function readTunnels(value: unknown, at: Locator): TunnelEntry[] {
  if (value === undefined) at.fail([], 'no [[tunnel]] in the file: the daemon needs at least one tunnel');
  if (isTable(value)) at.fail(['tunnel'], 'tunnels are an array of tables: write [[tunnel]] (two brackets) before each one');
  if (!Array.isArray(value)) at.fail(['tunnel'], `tunnel must be an array of tables ([[tunnel]]), not ${kindOf(value)}`);
  if (value.length === 0) at.fail(['tunnel'], 'no tunnel in the file: the daemon needs at least one tunnel');
  if (value.length > MAX_TUNNELS) at.fail(['tunnel'], `${value.length} tunnels: one daemon runs at most ${MAX_TUNNELS}`);
  return value.map((entry, index) => readTunnel(entry, index, at));
}

function readTunnel(value: unknown, index: number, at: Locator): TunnelEntry {
  const path = ['tunnel', index];
  const tunnel = expectTable(value, `tunnel number ${index + 1}`, path, at);
  checkKeys(tunnel, TUNNEL_KEYS, `[[tunnel]] number ${index + 1}`, path, at);
  const name = readName(tunnel.name, index, at);
  const label = `tunnel "${name}"`;
  return {
    index,
    name,
    args: readArgs(tunnel.args, label, [...path, 'args'], at),
    env: tunnel.env === undefined ? {} : readEnvTable(tunnel.env, `${label}: env`, [...path, 'env'], at),
    restart: readRestartSettings(tunnel, label, path, at, kindOf),
  };
}

function readName(value: unknown, index: number, at: Locator): string {
  const path = ['tunnel', index, 'name'];
  const which = `[[tunnel]] number ${index + 1}`;
  if (value === undefined) at.fail(path, `${which} has no name (name = "...": the tunnel's key for reload, logs and metrics)`);
  if (typeof value !== 'string') at.fail(path, `${which}: name must be a string, not ${kindOf(value)}`);
  if (value === '') at.fail(path, `${which}: name is empty`);
  if (value.length > MAX_NAME_LENGTH) at.fail(path, `${which}: name is longer than ${MAX_NAME_LENGTH} characters`);
  if (!NAME_PATTERN.test(value)) {
    at.fail(path, `${which}: name ${quoted(value)} may hold only letters, digits, "_", "." and "-" (it is a metrics label and a log field)`);
  }
  return value;
}

function readArgs(value: unknown, label: string, path: KeyPath, at: Locator): string[] {
  if (value === undefined) at.fail(path, `${label} has no args (args = [...]: autossh's command line, without "autossh")`);
  if (typeof value === 'string') {
    try {
      return splitShellWords(value);
    } catch (error) {
      if (error instanceof ShellWordsError) at.fail(path, `${label}: args: ${error.message}`);
      throw error;
    }
  }
  if (!Array.isArray(value)) at.fail(path, `${label}: args must be an array of strings or one string, not ${kindOf(value)}`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') {
      const hint = typeof item === 'number' || typeof item === 'boolean' ? ` (quote it: "${String(item)}")` : '';
      at.fail([...path, i], `${label}: args must hold only strings: item ${i + 1} is ${kindOf(item)}${hint}`);
    }
  });
  return value as string[];
}
