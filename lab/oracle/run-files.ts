// What a scenario run leaves in its work directory, read back: the fake ssh's events as they
// are appended, the command's stdout and stderr, autossh's log.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** stdout and stderr kept in the trace (for people; never compared) */
const OUTPUT_CHARS = 4000;
const LOG_LINES = 400;

export interface FakeEvent {
  t: number;
  ev: string;
  n: number;
  [field: string]: unknown;
}

/** events.jsonl as it grows: whole lines only */
export class FakeEventsTail {
  private offset = 0;
  private partial = '';
  private readonly buffer = Buffer.alloc(64 * 1024);

  constructor(private readonly path: string) {}

  read(): FakeEvent[] {
    const out: FakeEvent[] = [];
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return out;
    }
    try {
      for (;;) {
        const got = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (got === 0) break;
        this.offset += got;
        this.partial += this.buffer.toString('utf8', 0, got);
      }
    } finally {
      closeSync(fd);
    }
    const lines = this.partial.split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      try {
        out.push(JSON.parse(line) as FakeEvent);
      } catch {
        // a torn line from a fake killed mid-write says nothing reliable
      }
    }
    return out;
  }
}

export function readCapped(path: string, normalize: (text: string) => string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  return normalize(text.length > OUTPUT_CHARS ? `${text.slice(0, OUTPUT_CHARS)}...[truncated]` : text);
}

/** autossh's log lines as "[Ns] message", N seconds from the launch by the wall clock (the log's own stamps). */
export function logLines(path: string, wall0Ms: number, normalize: (text: string) => string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l !== '').slice(0, LOG_LINES);
  return lines.map((line) => {
    const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) \S+?\[\d+\]: (.*)$/.exec(line);
    if (!m) return normalize(line);
    const at = new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!).getTime();
    return `[${Math.round((at - Math.floor(wall0Ms / 1000) * 1000) / 1000)}s] ${normalize(m[7]!)}`;
  });
}

