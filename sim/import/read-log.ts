// Reading a log for import, bounded before it is parsed: bytes (a device or pipe is read no
// further than the bound), lines, and the length of each line. A log past them is refused at
// once, naming the bound and what to do, instead of growing to gigabytes and failing later.
import { formatBytes, InputTooLargeError, readBytesBounded } from '../schema/read-bounded.js';
import { LogError } from './log-lines.js';

/** a year of a tunnel restarting every minute fits; a whole host's syslog does not (grep it first) */
export const MAX_LOG_BYTES = 256 << 20;
/** the timeline format's own bound on the decisions it carries */
export const MAX_LOG_LINES = 1_000_000;
/** autossh's lines are short; a journal entry in JSON is a few KiB */
export const MAX_LOG_LINE_BYTES = 64 << 10;

const NEWLINE = 0x0a;
const HINT = "keep autossh's own lines (grep 'autossh' FILE) or cut the log to the incident";

export interface LogBounds {
  maxBytes: number;
  maxLines: number;
  maxLineBytes: number;
}

const DEFAULT_BOUNDS: LogBounds = { maxBytes: MAX_LOG_BYTES, maxLines: MAX_LOG_LINES, maxLineBytes: MAX_LOG_LINE_BYTES };

/** The log's text; throws LogError naming `file` (and the line) when a bound is passed. */
export function readLogText(file: string, bounds: LogBounds = DEFAULT_BOUNDS): string {
  let lines = 0;
  let lineBytes = 0;
  const tooLong = (): never => {
    throw new LogError(`${file}: line ${lines + 1}: longer than ${formatBytes(bounds.maxLineBytes)}; not a log line (is it a log?)`);
  };
  const scan = (chunk: Buffer): void => {
    for (let from = 0; ;) {
      const nl = chunk.indexOf(NEWLINE, from);
      lineBytes += (nl < 0 ? chunk.length : nl) - from;
      if (lineBytes > bounds.maxLineBytes) tooLong();
      if (nl < 0) return;
      lines++;
      lineBytes = 0;
      // a last line without a newline is counted at the end
      if (lines > bounds.maxLines) {
        throw new LogError(`${file}: more than ${bounds.maxLines.toLocaleString('en-US')} lines, the most import reads; ${HINT}`);
      }
      from = nl + 1;
    }
  };
  let bytes: Buffer;
  try {
    bytes = readBytesBounded(file, bounds.maxBytes, scan);
  } catch (error) {
    if (error instanceof InputTooLargeError) throw new LogError(`${file}: ${error.message}; ${HINT}`);
    if (error instanceof LogError) throw error;
    throw new Error(`${file}: cannot read it (${(error as Error).message})`);
  }
  if (lineBytes > 0 && lines + 1 > bounds.maxLines) {
    throw new LogError(`${file}: more than ${bounds.maxLines.toLocaleString('en-US')} lines, the most import reads; ${HINT}`);
  }
  return bytes.toString('utf8');
}
