// Where the lines go that 1.4g sends to syslog (no AUTOSSH_LOGFILE; the daemon's too). Chosen
// once per process, at the first such line:
// 1. the journal, when our stderr is the journal's stream: systemd says so with
//    JOURNAL_STREAM=DEV:INODE, which holds only while fd 2 is still that very stream (a shell
//    in the unit may have redirected it); see sd-daemon(3) and systemd.exec(5). Lines are
//    written to stderr with sd-daemon's `<N>` priority prefix, which journald reads and strips.
// 2. syslog, through the /dev/log socket (1.4g's way), when there is one.
// 3. stderr, said once, so that no setup loses every line without a word (a container with
//    neither journal nor syslog: 1.4g's lines would all be dropped there).
import { fstatSync, statSync } from 'node:fs';

export const DEV_LOG = '/dev/log';

export type SystemLog =
  | { kind: 'journal' }
  | { kind: 'syslog'; socketPath: string }
  /** `why`: the notice said once before the first line */
  | { kind: 'stderr'; why: string };

export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

/** JOURNAL_STREAM's `DEV:INODE` (decimal) names the file `fd2` is: stderr is the journal. */
export function isJournalStream(journalStream: string | undefined, fd2: FileIdentity | null): boolean {
  if (journalStream === undefined || fd2 === null) return false;
  const match = /^(\d+):(\d+)$/.exec(journalStream);
  if (match === null) return false;
  return BigInt(match[1]!) === fd2.dev && BigInt(match[2]!) === fd2.ino;
}

/** The choice, from what was found: pure, so each case is tested without a journal. */
export function systemLogOf(found: { stderrIsJournal: boolean; socketPath: string; socketExists: boolean }): SystemLog {
  if (found.stderrIsJournal) return { kind: 'journal' };
  if (found.socketExists) return { kind: 'syslog', socketPath: found.socketPath };
  return { kind: 'stderr', why: `no ${found.socketPath} and stderr is not the journal: logging to stderr` };
}

/**
 * Look at this process: its JOURNAL_STREAM and fd 2, and the syslog socket (/dev/log, or the
 * one a test names instead).
 */
export function findSystemLog(options: { env?: NodeJS.ProcessEnv; syslogSocket?: string | null } = {}): SystemLog {
  const env = options.env ?? process.env;
  const socketPath = options.syslogSocket ?? DEV_LOG;
  return systemLogOf({
    stderrIsJournal: isJournalStream(env.JOURNAL_STREAM, identityOf(2)),
    socketPath,
    socketExists: isSocket(socketPath),
  });
}

/** sd-daemon's form: `<N>` (the level alone, no facility), one line per message. */
export function journalLine(level: number, message: string): string {
  return `<${Math.min(Math.max(level, 0), 7)}>${message.replace(/\r?\n/g, ' ')}\n`;
}

function identityOf(fd: number): FileIdentity | null {
  try {
    const stat = fstatSync(fd, { bigint: true });
    return { dev: stat.dev, ino: stat.ino };
  } catch {
    return null; // fd 2 closed: not the journal
  }
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
