// The line shapes an autossh log comes in, all with 1.4g's message wording:
//   AUTOSSH_LOGFILE (1.4g and autossh-ts): 2024/05/01 03:00:00 autossh[1234]: starting ssh (count 1)
//   syslog, classic:                       May  1 03:00:00 host autossh[1234]: starting ssh (count 1)
//   syslog, RFC 3339 (rsyslog):            2024-05-01T03:00:00.123+00:00 host autossh[1234]: ...
//   journalctl -o short-iso:               2024-05-01T03:00:00+0000 host autossh[1234]: ...
//   journalctl -o json:                    {"__REALTIME_TIMESTAMP":"1714532400000000","_PID":"1234","MESSAGE":"...",...}
//   autossh-ts AUTOSSH_LOGFORMAT=json:     {"time":"2024-05-01T03:00:00.123Z","level":"info","tunnel":"db","message":"..."}
// The daemon prefixes each text line with its tunnel ("db: starting ssh (count 1)").
export interface LogLine {
  /** line number in the file, from 1 */
  lineNo: number;
  epochMs: number;
  /** 0 for autossh-ts's JSON lines, which carry none */
  pid: number;
  /** the daemon's tunnel, from a "name: " prefix or the JSON "tunnel" */
  tunnel: string | null;
  message: string;
}

/** autossh's own messages, so a daemon's "db: " prefix can be told from a message's own colon */
const OWN_MESSAGE = /^(starting ssh|ssh |port |short poll|checking for grace|sleeping for grace|max start|received signal|signalled|exceeded maximum|network changed|retrying the remote|remote port forwarding|waiting \d+ ms|set alarm|clear alarm|check on child|expired child|connection |poll time|first poll time)/;

function splitTunnel(message: string): { tunnel: string | null; message: string } {
  const m = /^([A-Za-z0-9_.@-]+): (.*)$/.exec(message);
  return m && OWN_MESSAGE.test(m[2]!) ? { tunnel: m[1]!, message: m[2]! } : { tunnel: null, message };
}

const LOGFILE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) (?:[\w.-]+)\[(\d+)\]: (.*)$/;
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) \S+ (?:[\w.-]+)\[(\d+)\]: (.*)$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)(Z|[+-]\d{2}:?\d{2}) \S+ (?:[\w.-]+)\[(\d+)\]: (.*)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface ParsedLog {
  lines: LogLine[];
  /** what the line shapes leave unknown */
  caveats: string[];
  skipped: number;
  /** how often a classic syslog line's month went from December back to January (each moves the year on) */
  yearTurns: number;
}

/**
 * Terminal escapes (colours, cursor moves, titles): a log written through a colouring tool or
 * captured from a terminal carries them, and a message wrapped in them is not one autossh wrote.
 */
const TERMINAL_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

export function withoutTerminalEscapes(text: string): string {
  return text.includes('\x1b') ? text.replace(TERMINAL_ESCAPE, '') : text;
}

/**
 * One `journalctl -o json` entry: __REALTIME_TIMESTAMP (µs since the epoch, as a string), _PID (or
 * SYSLOG_PID), MESSAGE (a string, or an array of bytes when not UTF-8). null: not a journal entry
 * with those fields; 'bad': one whose time is not a time.
 */
function journalEntry(line: string): { epochMs: number; pid: number; tunnel: string | null; message: string } | null | 'bad' {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  const pid = Number(e._PID ?? e.SYSLOG_PID);
  const raw = e.MESSAGE;
  const message = typeof raw === 'string' ? raw : Array.isArray(raw) ? Buffer.from(raw as number[]).toString('utf8') : null;
  if (typeof e.time === 'string' && typeof e.message === 'string' && e.__REALTIME_TIMESTAMP === undefined) {
    // autossh-ts's own JSON line
    const epochMs = Date.parse(e.time);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(e.time) || !Number.isFinite(epochMs)) return 'bad';
    return { epochMs, pid: 0, tunnel: typeof e.tunnel === 'string' ? e.tunnel : null, message: withoutTerminalEscapes(e.message) };
  }
  if (typeof e.__REALTIME_TIMESTAMP !== 'string' || message === null || !Number.isInteger(pid)) return null;
  if (!/^\d{1,17}$/.test(e.__REALTIME_TIMESTAMP)) return 'bad';
  return { epochMs: Math.floor(Number(e.__REALTIME_TIMESTAMP) / 1000), pid, ...splitTunnel(withoutTerminalEscapes(message).trimEnd()) };
}

/** A log the importer cannot read honestly: names the line and what is wrong with it. */
export class LogError extends Error {}

/** y-m-d h:m:s as written -> epoch ms, or null when no such time exists (Feb 30, 25:00) */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const t = new Date(ms);
  const same = t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d
    && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
  return same ? ms : null;
}

/**
 * `syslogYear`: classic syslog lines carry no year; a log that runs from December into January
 * moves on to the next one. Throws LogError for an impossible date or a time before the line
 * above it (a log that goes backwards cannot be replayed in order).
 */
export function parseLogLines(name: string, text: string, syslogYear = 2000): ParsedLog {
  const lines: LogLine[] = [];
  const caveats = new Set<string>();
  let skipped = 0;
  let year = syslogYear;
  let lastMonth = -1;
  let yearTurns = 0;
  text.split('\n').forEach((raw, i) => {
    const line = withoutTerminalEscapes(raw).trimEnd();
    const lineNo = i + 1;
    if (line === '') return;
    const impossible = (): never => {
      throw new LogError(`${name}: line ${lineNo}: no such date or time: "${line.slice(0, 80)}"`);
    };
    let epochMs: number | null = null;
    let pid = 0;
    let message = '';
    let tunnel: string | null = null;
    let m = LOGFILE.exec(line);
    if (m) {
      const [, y, mo, d, h, mi, s, p, msg] = m;
      caveats.add('log times have 1 s resolution and no time zone: read as UTC');
      epochMs = utcMs(+y!, +mo!, +d!, +h!, +mi!, +s!) ?? impossible();
      pid = +p!;
      message = msg!;
    } else if ((m = SYSLOG.exec(line))) {
      const [, mon, d, h, mi, s, p, msg] = m;
      const month = MONTHS.indexOf(mon!);
      if (month < 0) impossible();
      if (month < lastMonth) {
        year++;
        yearTurns++;
      }
      lastMonth = month;
      caveats.add(`syslog times have 1 s resolution, no year (read as ${syslogYear}) and no time zone (read as UTC)`);
      epochMs = utcMs(year, month + 1, +d!, +h!, +mi!, +s!) ?? impossible();
      pid = +p!;
      message = msg!;
    } else if ((m = RFC3339.exec(line))) {
      const [, local, zone, p, msg] = m;
      const [, y, mo, d, h, mi, sec] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(local!)!;
      if (utcMs(+y!, +mo!, +d!, +h!, +mi!, +sec!) === null) impossible();
      // journalctl -o short-iso writes +0000, rsyslog +00:00
      epochMs = Date.parse(`${local!.replace(',', '.')}${zone === 'Z' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.slice(-2)}`}`);
      pid = +p!;
      message = msg!;
    } else if (line.startsWith('{')) {
      const entry = journalEntry(line);
      if (entry === 'bad') return impossible();
      if (entry !== null) ({ epochMs, pid, message, tunnel } = entry);
    }
    if (epochMs === null) {
      skipped++;
      return;
    }
    const previous = lines[lines.length - 1];
    if (previous && epochMs < previous.epochMs) {
      throw new LogError(`${name}: line ${lineNo}: time goes backwards (${new Date(epochMs).toISOString()}, `
        + `after ${new Date(previous.epochMs).toISOString()} on line ${previous.lineNo}); a clock change or two logs merged out of order?`);
    }
    if (tunnel === null) ({ tunnel, message } = splitTunnel(message));
    lines.push({ lineNo, epochMs, pid, tunnel, message });
  });
  return { lines, caveats: [...caveats], skipped, yearTurns };
}
