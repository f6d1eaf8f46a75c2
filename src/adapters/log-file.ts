// AUTOSSH_LOGFILE, followed by its path: logrotate (or a person) renames or removes the file and
// the next line goes to a new file at the path, never to the renamed one or to a deleted inode,
// with no signal needed. Each write first stats the path and compares it with the open file
// (device and inode): ≈ 20 µs more a line, beside ≈ 10 µs for the write itself (bench/log-file.ts
// on the 2-core CI machine); a supervisor writes a few lines a restart, so a stat per line is
// cheaper than any cleverness about when to look.
import { closeSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';

/** Created owner-only, as 1.4g's is. */
const FILE_MODE = 0o600;

interface Opened {
  fd: number;
  dev: number;
  ino: number;
}

function openAt(path: string): Opened {
  const fd = openSync(path, 'a', FILE_MODE);
  try {
    const { dev, ino } = fstatSync(fd);
    return { fd, dev, ino };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

export class LogFile {
  /** absolute: the path is looked at again at every write */
  readonly path: string;
  private opened: Opened | null;
  /** how many times the path was found to name another file, or none, and was opened again */
  reopens = 0;

  private constructor(path: string, opened: Opened) {
    this.path = path;
    this.opened = opened;
  }

  /** Open (create, append to) the file, or say why not. */
  static open(path: string): LogFile | { error: string } {
    const absolute = resolve(path);
    try {
      return new LogFile(absolute, openAt(absolute));
    } catch (error) {
      return { error: `${path}: ${(error as NodeJS.ErrnoException).message}` };
    }
  }

  /** Append a line. Best effort: a full disk or a missing directory must not stop the supervision. */
  write(line: string): void {
    this.followPath();
    const opened = this.opened;
    if (opened === null) return;
    try {
      writeSync(opened.fd, line);
    } catch {
      // the line is lost, the supervisor goes on
    }
  }

  close(): void {
    if (this.opened === null) return;
    closeSync(this.opened.fd);
    this.opened = null;
  }

  /**
   * The path names another file (renamed away, a new one created there) or none (removed): open
   * the path again. If that fails (a directory gone), lines keep going where they went, and the
   * next write tries again.
   */
  private followPath(): void {
    const opened = this.opened;
    if (opened === null) return;
    let now;
    try {
      now = statSync(this.path, { throwIfNoEntry: false });
    } catch {
      return; // cannot look (a directory made unreadable): keep the file we have
    }
    if (now !== undefined && now.ino === opened.ino && now.dev === opened.dev) return;
    let fresh: Opened;
    try {
      fresh = openAt(this.path);
    } catch {
      return;
    }
    closeSync(opened.fd);
    this.opened = fresh;
    this.reopens++;
  }
}
