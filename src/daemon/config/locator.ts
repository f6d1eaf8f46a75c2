// Turns a problem at a key of the document into a ConfigFileError naming the file and the line.
import type { KeyLines, KeyPath } from './key-lines.js';
import { ConfigFileError } from './types.js';

export class Locator {
  constructor(
    readonly file: string,
    private readonly lines: KeyLines,
  ) {}

  /** the line of `path` (or of the table around it) */
  lineOf(path: KeyPath): number | null {
    return this.lines.nearestLineOf(path);
  }

  /** the exact line of `path`, or null: for keys that may be absent */
  exactLineOf(path: KeyPath): number | null {
    return this.lines.lineOf(path);
  }

  fail(path: KeyPath, problem: string): never {
    throw new ConfigFileError(this.file, this.lineOf(path), problem);
  }

  failAtLine(line: number | null, problem: string): never {
    throw new ConfigFileError(this.file, line, problem);
  }
}
