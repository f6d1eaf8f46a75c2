// A streamed trace's log lines: its "log" array comes after every event, so the lines must wait
// somewhere until the run ends. The first ones wait in memory; past that, in a temp file that is
// unlinked as soon as it is opened (it has no name, so no run, however it ends, leaves it behind),
// and read back in chunks. A year's log then costs a file descriptor, not gigabytes.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** lines kept in memory before the spool goes to disk */
const IN_MEMORY_LINES = 50_000;
const READ_CHUNK_BYTES = 1 << 20;

let spools = 0;

export class LineSpool {
  constructor(private readonly inMemoryLines = IN_MEMORY_LINES) {}

  private memory: string[] = [];
  private fd: number | null = null;
  private fileBytes = 0;
  /** lines pushed */
  count = 0;

  /** `line` as it will be written: already JSON-encoded, with no raw newline in it */
  push(line: string): void {
    this.count++;
    this.memory.push(line);
    if (this.memory.length >= this.inMemoryLines) this.spill();
  }

  /** Every line, in order: those on disk first, then those in memory. */
  *lines(): Generator<string, void, void> {
    if (this.fd !== null) {
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      let rest = '';
      for (let position = 0; position < this.fileBytes;) {
        const n = readSync(this.fd, buffer, 0, buffer.length, position);
        if (n === 0) break;
        position += n;
        // a line never holds a raw newline, and a UTF-8 sequence never holds the byte 0x0a:
        // cutting at the last newline cuts between characters
        const chunk = rest + buffer.toString('latin1', 0, n);
        const cut = chunk.lastIndexOf('\n');
        rest = chunk.slice(cut + 1);
        for (const line of chunk.slice(0, cut).split('\n')) yield Buffer.from(line, 'latin1').toString('utf8');
      }
    }
    yield* this.memory;
  }

  /** Closes the file, if there is one (it was never on disk by name). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.memory = [];
  }

  private spill(): void {
    if (this.fd === null) {
      const file = join(tmpdir(), `.autossh-lab-log-${process.pid}-${++spools}.tmp`);
      this.fd = openSync(file, 'wx+', 0o600);
      unlinkSync(file);
    }
    const bytes = Buffer.from(`${this.memory.join('\n')}\n`, 'utf8');
    for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off, bytes.length - off, this.fileBytes + off);
    this.fileBytes += bytes.length;
    this.memory = [];
  }
}
