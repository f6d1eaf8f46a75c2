// Whether a file the daemon acts on (its configuration, an AUTOSSH_PATH it runs) can be changed by
// anyone but the daemon's user and root. Such a file runs their commands as the daemon's user, so
// the daemon refuses it, as ssh (StrictModes) refuses keys and cron refuses crontabs others can write.
//
// The path is walked one name at a time, as the kernel resolves it: every directory passed
// through, every symbolic link met (then its target's names, from / or from the link's directory),
// and the file reached. Each must be owned by root or the daemon's user; a file must not be group-
// or world-writable; a directory neither, unless it is sticky (as /tmp: the others who may write
// in it cannot rename or delete what is ours there). Reads only lstat and readlink.
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** as Linux's MAXSYMLINKS: a longer chain is a loop, which open() refuses too (ELOOP) */
export const MAX_SYMLINKS = 40;

const GROUP_WRITE = 0o020;
const OTHER_WRITE = 0o002;
const STICKY = 0o1000;

export interface TrustOptions {
  /** the daemon's effective uid: the one user besides root whose files it trusts */
  euid: number;
  /**
   * a name that does not exist on the way: true for a program that may not be installed (its spawn
   * fails as a start, D7) once the directories it would be in are trusted; false for a file to read
   */
  missingOk?: boolean;
}

/** "0644", "01777" */
export function modeText(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

function writableBy(mode: number): string | null {
  const group = (mode & GROUP_WRITE) !== 0;
  const other = (mode & OTHER_WRITE) !== 0;
  if (group && other) return 'group/other write';
  if (group) return 'group write';
  if (other) return 'other write';
  return null;
}

/**
 * Null when only root and the daemon's user can change what `path` names, else why not, starting
 * "bad permissions:" or "bad owner:" and naming the mode or owner of what is at fault.
 */
export function trustProblem(path: string, options: TrustOptions): string | null {
  const { euid } = options;
  // not path.resolve: it would take "link/.." away by its text, where the kernel goes to the
  // link's target's parent. getcwd() is a real path, without links
  const absolute = isAbsolute(path) ? path : `${process.cwd()}/${path}`;
  let links = 0;
  const trustedOwner = (stats: Stats): boolean => stats.uid === 0 || stats.uid === euid;
  const notTrustedOwner = (uid: number): string => `owned by uid ${uid}, not by root or the daemon's user (uid ${euid})`;

  const checkDirectory = (dir: string, stats: Stats): string | null => {
    if (!trustedOwner(stats)) return `bad owner: directory ${dir} on its path is ${notTrustedOwner(stats.uid)}, who could replace what is in it`;
    const writers = writableBy(stats.mode);
    if (writers !== null && (stats.mode & STICKY) === 0) {
      return `bad permissions: directory ${dir} on its path has mode ${modeText(stats.mode)}, writable by others (${writers}) and not sticky, so they could replace what is in it`;
    }
    return null;
  };
  const checkFile = (file: string, stats: Stats): string | null => {
    // the file as given, or the one a symbolic link led to
    const which = links === 0 ? '' : `${file}, which it links to, `;
    if (!trustedOwner(stats)) return `bad owner: ${which}${which ? 'is ' : ''}${notTrustedOwner(stats.uid)}`;
    const writers = writableBy(stats.mode);
    if (writers !== null) {
      return which
        ? `bad permissions: ${which}has mode ${modeText(stats.mode)}, writable by others (${writers})`
        : `bad permissions: mode ${modeText(stats.mode)} is writable by others (${writers})`;
    }
    return null;
  };
  const lstat = (at: string): Stats | 'missing' | string => {
    try {
      return lstatSync(at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
      const why = code === 'EACCES' ? 'permission denied' : (error as Error).message;
      return `cannot check its permissions: ${at}: ${why}`;
    }
  };

  const root = lstat('/');
  if (typeof root === 'string') return root === 'missing' ? 'cannot check its permissions: / is missing' : root;
  const rootProblem = checkDirectory('/', root);
  if (rootProblem !== null) return rootProblem;

  // `dir` is a real directory already checked (so are all above it); `pending` the names still to walk
  let dir = '/';
  let pending = absolute.split('/').filter((name) => name !== '');
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      dir = dirname(dir);
      continue;
    }
    const at = join(dir, name);
    const stats = lstat(at);
    if (stats === 'missing') return options.missingOk ? null : `cannot check its permissions: ${at}: no such file or directory`;
    if (typeof stats === 'string') return stats;
    if (stats.isSymbolicLink()) {
      // a link cannot be changed, only replaced by whoever may write its directory (checked); in a
      // sticky directory its owner may replace it too
      if (!trustedOwner(stats)) return `bad owner: symbolic link ${at} on its path is ${notTrustedOwner(stats.uid)}`;
      if (++links > MAX_SYMLINKS) return `cannot check its permissions: more than ${MAX_SYMLINKS} symbolic links on its path (a loop?)`;
      let target: string;
      try {
        target = readlinkSync(at);
      } catch (error) {
        return `cannot check its permissions: ${at}: ${(error as Error).message}`;
      }
      if (target.startsWith('/')) dir = '/';
      pending = [...target.split('/').filter((part) => part !== ''), ...pending];
      continue;
    }
    if (pending.length > 0) {
      // a name before the last: the kernel goes on only through a directory
      if (!stats.isDirectory()) return options.missingOk ? null : `cannot check its permissions: ${at}: not a directory`;
      const problem = checkDirectory(at, stats);
      if (problem !== null) return problem;
      dir = at;
      continue;
    }
    return checkFile(at, stats);
  }
  // the path named a directory (/, or ending in ..): the directories were checked on the way
  return null;
}
