// ssh's stderr, read by us when a liveness rule needs its words (D9's "Authenticated to", D10's
// "remote port forwarding failed"): every byte goes on to our own stderr as it came, so the user
// sees what ssh said, and whole lines go to the rules. A line is never cut at a read's edge; a
// line that never ends is kept only up to MAX_LINE_BYTES, the rest of it passed through unread.
import { writeSync } from 'node:fs';

/** ssh's messages are well under 1 KiB; a longer line is kept up to here, its tail dropped. */
export const MAX_LINE_BYTES = 8 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Where the bytes go on: our own stderr. */
export type ByteSink = (chunk: Buffer) => void;

/**
 * Writes to our fd 2 at once, in order with the log's own stderr lines. Best effort: a stderr
 * that is gone (EPIPE) or full without blocking (EAGAIN) loses the bytes, never the supervisor.
 */
export const toOwnStderr: ByteSink = (chunk) => {
  let offset = 0;
  while (offset < chunk.length) {
    try {
      offset += writeSync(2, chunk, offset, chunk.length - offset);
    } catch {
      return;
    }
  }
};

export class SshStderr {
  /** the current line's bytes so far (at most maxLineBytes of them) */
  private readonly parts: Buffer[] = [];
  private kept = 0;
  /** the current line is longer than maxLineBytes: its tail is not kept */
  private cut = false;
  private ended = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly passThrough: ByteSink = toOwnStderr,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** Bytes kept for the line not yet ended: never more than maxLineBytes. */
  get bufferedBytes(): number {
    return this.kept;
  }

  /** A chunk as read: passed through whole, then its complete lines delivered. */
  write(chunk: Buffer): void {
    if (this.ended) return;
    this.passThrough(chunk);
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.keep(chunk.subarray(start, newline));
      this.deliver();
      start = newline + 1;
    }
    this.keep(chunk.subarray(start));
  }

  /** The stream ended: a last line without its newline still counts. */
  end(): void {
    if (this.ended) return;
    if (this.kept > 0) this.deliver();
    this.ended = true;
  }

  private keep(bytes: Buffer): void {
    const room = this.maxLineBytes - this.kept;
    if (bytes.length > room) this.cut = true;
    if (room <= 0 || bytes.length === 0) return;
    // copied: the chunk's memory is not ours to hold on to
    const part = Buffer.from(bytes.subarray(0, room));
    this.parts.push(part);
    this.kept += part.length;
  }

  private deliver(): void {
    let line = Buffer.concat(this.parts, this.kept);
    this.parts.length = 0;
    this.kept = 0;
    // CRLF: the CR belongs to the line's end, which a cut line's kept head does not have
    if (!this.cut && line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, -1);
    this.cut = false;
    this.onLine(line.toString('utf8'));
  }
}
