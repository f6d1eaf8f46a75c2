// Reading an input file no further than a bound. readFileSync reads until the end, and a device
// or pipe (`/dev/zero`, `<(yes)`) has none: memory would go first. A regular file is measured
// before anything is read; anything else is read in chunks, at most one byte past the bound.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** An input past its bound; the message says the bound (the caller names the file). */
export class InputTooLargeError extends Error {
  override name = 'InputTooLargeError';
}

const CHUNK_BYTES = 1 << 16;

/** "1 MiB", "256 MiB", "64 KiB", "900 bytes" */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}

/**
 * The file's bytes, at most `maxBytes` of them. `onChunk` sees each chunk as it is read and may
 * throw to stop early (a line bound). Errors of the file system come through with their code.
 */
export function readBytesBounded(file: string, maxBytes: number, onChunk?: (chunk: Buffer) => void): Buffer {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    const tooLarge = (): InputTooLargeError => new InputTooLargeError(`larger than ${formatBytes(maxBytes)}, the most this reads`);
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge();
      const read = chunk.subarray(0, n);
      onChunk?.(read);
      chunks.push(read);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** The file as UTF-8 text, at most `maxBytes` of it. */
export function readTextBounded(file: string, maxBytes: number): string {
  return readBytesBounded(file, maxBytes).toString('utf8');
}
