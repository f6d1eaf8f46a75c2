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

/** `syslogYear`: classic syslog lines carry no year. */
export function parseLogLines(text: string, syslogYear = 2000): ParsedLog {
  const lines: LogLine[] = [];
  const caveats = new Set<string>();
  let skipped = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line === '') return;
    let m = LOGFILE.exec(line);
    if (m) {
      const [, y, mo, d, h, mi, s, pid, message] = m;
      caveats.add('log times have 1 s resolution and no time zone: read as UTC');
      lines.push({ lineNo: i + 1, epochMs: Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!), pid: +pid!, message: message! });
      return;
    }
    m = SYSLOG.exec(line);
    if (m) {
      const [, mon, d, h, mi, s, pid, message] = m;
      caveats.add(`syslog times have 1 s resolution, no year (read as ${syslogYear}) and no time zone (read as UTC)`);
      lines.push({ lineNo: i + 1, epochMs: Date.UTC(syslogYear, MONTHS.indexOf(mon!), +d!, +h!, +mi!, +s!), pid: +pid!, message: message! });
      return;
    }
    m = RFC3339.exec(line);
    if (m) {
      lines.push({ lineNo: i + 1, epochMs: Date.parse(m[1]!), pid: +m[2]!, message: m[3]! });
      return;
    }
    skipped++;
  });
  return { lines, caveats: [...caveats], skipped };
}
