// AUTOSSH_PIDFILE: written to a fresh temporary file beside it and renamed into place, so a
// symlink at the path is replaced, never followed, and a reader never sees half a pid.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class PidFile {
  private written = false;

  constructor(private readonly path: string, private readonly pid: number = process.pid) {}

  write(): string | null {
    const temp = join(dirname(this.path), `.${basename(this.path)}.${this.pid}.tmp`);
    try {
      const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      try {
        writeSync(fd, `${this.pid}\n`);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.path);
      this.written = true;
      return null;
    } catch (error) {
      try {
        unlinkSync(temp);
      } catch {
        // nothing was created
      }
      return (error as NodeJS.ErrnoException).message;
    }
  }

  /** Remove it if it is still ours: another instance may have taken the path over. */
  remove(): void {
    if (!this.written) return;
    this.written = false;
    try {
      if (readFileSync(this.path, 'utf8').trim() === String(this.pid)) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
