// `autossh-ts --check-config FILE`: the daemon's own reading of FILE, and nothing started. The
// units run it before a start and before a reload (ExecStartPre=, ExecReload=), so a broken file
// fails `systemctl start`/`reload` with the daemon's own message and leaves the running tunnels
// alone. Exit 0 when the daemon would take the file, 1 (with `autossh-ts: FILE:LINE: problem`
// on stderr) when it would not.
import { loadDaemonConfig } from './config/load.js';
import { ConfigFileError } from './config/types.js';
import { readableFileError } from './cli.js';

const USAGE = 'usage: autossh-ts --check-config FILE';

/** `--check-config FILE` or `--check-config=FILE`, and nothing after it. */
export function checkedPathOf(args: readonly string[]): { path: string } | { complaint: string } {
  const [first, ...rest] = args;
  let path: string | undefined;
  if (first === '--check-config') path = rest.shift();
  else if (first?.startsWith('--check-config=')) path = first.slice('--check-config='.length);
  if (path === undefined || path === '') return { complaint: "option requires an argument -- '--check-config'" };
  if (rest.length > 0) return { complaint: `--check-config takes one file and nothing else: unexpected "${rest[0]}"` };
  return { path };
}

export function checkDaemonConfig(prog: string, args: readonly string[]): number {
  const target = checkedPathOf(args);
  if ('complaint' in target) {
    process.stderr.write(`${prog}: ${target.complaint}\n${USAGE}\n`);
    return 1;
  }
  try {
    const unreadable = readableFileError(target.path);
    if (unreadable) throw unreadable;
    const config = loadDaemonConfig(target.path);
    const count = config.tunnels.length;
    process.stdout.write(`${target.path}: OK, ${count} tunnel${count === 1 ? '' : 's'}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    process.stderr.write(`${prog}: ${error.message}\n`);
    return 1;
  }
}
