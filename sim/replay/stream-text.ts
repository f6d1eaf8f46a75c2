// Writing a long run's outputs piece by piece: the same bytes as the whole-text functions,
// without a year's trace or JSON ever held as one string.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type Write = (chunk: string) => void;

/**
 * `JSON.stringify(value, null, 1)`, written piece by piece: arrays and objects down to
 * `maxDepth` are walked here, anything deeper is stringified whole and re-indented (JSON
 * strings hold no raw newline). Values are plain data (no toJSON, no cycles).
 */
export function writeJson(value: unknown, write: Write, maxDepth = 4, depth = 0): void {
  if (depth >= maxDepth || value === null || typeof value !== 'object') {
    const text = JSON.stringify(value, null, 1);
    write(depth === 0 ? text : text.replaceAll('\n', `\n${' '.repeat(depth)}`));
    return;
  }
  const inner = ' '.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return write('[]');
    write('[\n');
    value.forEach((item, i) => {
      write(inner);
      // undefined, functions and symbols are null in an array
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') write('null');
      else writeJson(item, write, maxDepth, depth + 1);
      write(i < value.length - 1 ? ',\n' : '\n');
    });
    return write(`${' '.repeat(depth)}]`);
  }
  // undefined, functions and symbols are left out of an object
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) return write('{}');
  write('{\n');
  entries.forEach(([key, item], i) => {
    write(`${inner}${JSON.stringify(key)}: `);
    writeJson(item, write, maxDepth, depth + 1);
    write(i < entries.length - 1 ? ',\n' : '\n');
  });
  write(`${' '.repeat(depth)}}`);
}

/** Pieces gathered up to about a megabyte, then written to a file descriptor at once. */
export function bufferedWriter(fd: number): { write: Write; flush: () => void } {
  let pieces: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (size === 0) return;
    const bytes = Buffer.from(pieces.join(''));
    pieces = [];
    size = 0;
    for (let off = 0; off < bytes.length;) {
      try {
        off += writeSync(fd, bytes, off);
      } catch (error) {
        // stdout may be a non-blocking pipe: wait for its reader
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    }
  };
  return {
    write: (chunk) => {
      pieces.push(chunk);
      size += chunk.length;
      if (size >= 1 << 20) flush();
    },
    flush,
  };
}

/** A file written piece by piece, whole or not at all: a temp file next to it, then rename. */
export function streamFileAtomic(file: string, produce: (write: Write) => void): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'w');
    const out = bufferedWriter(fd);
    produce(out.write);
    out.flush();
    closeSync(fd);
    fd = null;
    renameSync(temp, file);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
}
