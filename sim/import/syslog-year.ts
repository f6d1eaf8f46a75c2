// Classic syslog lines ("Dec  2 03:42:27 host autossh[42]: ...") carry no year. A log file's
// last change is when its last line was written, so that line's year is the year of the file's
// modification time, and a log that ran from December into January began the year before.
import { LogError, parseLogLines } from './log-lines.js';

const DAY_MS = 86_400_000;

/**
 * The year to read the log's first syslog line in: the mtime's year, less one for each new year
 * the log runs into before its last line (that line was written no later than the mtime; a day's
 * slack for the time zone the lines were written in, read as UTC).
 */
export function syslogYearFromMtime(file: string, text: string, mtimeMs: number): { firstYear: number; lastYear: number } {
  let year = new Date(mtimeMs).getUTCFullYear();
  // bounded: a log's lines run forward, so at most one year per December in it
  for (let tries = 0; tries < 100; tries++) {
    let lastMs: number | undefined;
    try {
      lastMs = parseLogLines(file, text, year).lines.at(-1)?.epochMs;
    } catch (error) {
      // the import itself says what is wrong with the log
      if (error instanceof LogError) return { firstYear: year, lastYear: year };
      throw error;
    }
    if (lastMs === undefined || lastMs <= mtimeMs + DAY_MS || year <= 1970) {
      return { firstYear: year, lastYear: lastMs === undefined ? year : new Date(lastMs).getUTCFullYear() };
    }
    year--;
  }
  return { firstYear: year, lastYear: year };
}
