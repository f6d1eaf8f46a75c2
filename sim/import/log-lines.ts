// The three line shapes an autossh log comes in, all with 1.4g's message wording:
//   AUTOSSH_LOGFILE (1.4g and autossh-ts): 2024/05/01 03:00:00 autossh[1234]: starting ssh (count 1)
//   syslog, classic:                       May  1 03:00:00 host autossh[1234]: starting ssh (count 1)
//   syslog, RFC 3339 (rsyslog, journal):   2024-05-01T03:00:00.123+00:00 host autossh[1234]: ...
export interface LogLine {
  /** line number in the file, from 1 */
  lineNo: number;
  epochMs: number;
  pid: number;
  message: string;
}

const LOGFILE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) (?:[\w.-]+)\[(\d+)\]: (.*)$/;
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) \S+ (?:[\w.-]+)\[(\d+)\]: (.*)$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) \S+ (?:[\w.-]+)\[(\d+)\]: (.*)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface ParsedLog {
  lines: LogLine[];
  /** what the line shapes leave unknown */
  caveats: string[];
  skipped: number;
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
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const lineNo = i + 1;
    if (line === '') return;
    const impossible = (): never => {
      throw new LogError(`${name}: line ${lineNo}: no such date or time: "${line.slice(0, 80)}"`);
    };
    let epochMs: number | null = null;
    let pid = 0;
    let message = '';
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
      if (month < lastMonth) year++;
      lastMonth = month;
      caveats.add(`syslog times have 1 s resolution, no year (read as ${syslogYear}) and no time zone (read as UTC)`);
      epochMs = utcMs(year, month + 1, +d!, +h!, +mi!, +s!) ?? impossible();
      pid = +p!;
      message = msg!;
    } else if ((m = RFC3339.exec(line))) {
      const [, y, mo, d, h, mi, s] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(m[1]!)!;
      if (utcMs(+y!, +mo!, +d!, +h!, +mi!, +s!) === null) impossible();
      epochMs = Date.parse(m[1]!);
      pid = +m[2]!;
      message = m[3]!;
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
    lines.push({ lineNo, epochMs, pid, message });
  });
  return { lines, caveats: [...caveats], skipped };
}
