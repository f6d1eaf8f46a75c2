// AUTOSSH_LOGFILE follows its path: after a rename (logrotate's default), a removal, or a removal
// and a new file made there, the next line lands in the file the path names now, with no signal.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogFile } from '../../src/adapters/log-file.js';
import { LogOutputs, Logger } from '../../src/adapters/logger.js';
import { LOG_INFO } from '../../src/machine/config/log-levels.js';

describe('LogFile follows its path', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autossh-ts-logfile-'));
    path = join(dir, 'autossh.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const opened = (): LogFile => {
    const file = LogFile.open(path);
    if ('error' in file) throw new Error(file.error);
    return file;
  };

  it('renamed away: the old file keeps its lines, the next line starts a new file at the path', () => {
    const file = opened();
    file.write('one\n');
    renameSync(path, `${path}.1`);
    file.write('two\n');
    file.write('three\n');
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('one\n');
    expect(readFileSync(path, 'utf8')).toBe('two\nthree\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(file.reopens).toBe(1);
    file.close();
  });

  it('removed: the next line makes the file again', () => {
    const file = opened();
    file.write('one\n');
    unlinkSync(path);
    expect(existsSync(path)).toBe(false);
    file.write('two\n');
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    file.close();
  });

  it('removed and made again by someone else (logrotate\'s create): the lines go into that file', () => {
    const file = opened();
    file.write('one\n');
    unlinkSync(path);
    writeFileSync(path, 'header\n', { mode: 0o640 });
    file.write('two\n');
    expect(readFileSync(path, 'utf8')).toBe('header\ntwo\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    file.close();
  });

  it('the same file (truncated in place, copytruncate): no reopen, lines appended at its end', () => {
    const file = opened();
    file.write('one\n');
    writeFileSync(path, '');
    file.write('two\n');
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    expect(file.reopens).toBe(0);
    file.close();
  });

  it('a directory gone: lines go on to the open file until the path works again', () => {
    const sub = join(dir, 'sub');
    path = join(sub, 'autossh.log');
    mkdirSync(sub);
    const file = opened();
    file.write('one\n');
    renameSync(sub, `${sub}.old`);
    file.write('two\n'); // cannot open sub/autossh.log: still written, to the renamed file
    expect(readFileSync(join(`${sub}.old`, 'autossh.log'), 'utf8')).toBe('one\ntwo\n');
    mkdirSync(sub);
    file.write('three\n');
    expect(readFileSync(path, 'utf8')).toBe('three\n');
    file.close();
  });

  it('the daemon\'s loggers share the file, and all follow it', async () => {
    const outputs = new LogOutputs({ progName: 'autossh-ts' });
    const loggers = ['db', 'web'].map((tunnel) => new Logger({ progName: 'autossh-ts', logFile: path, logLevel: LOG_INFO, debug: false, tunnel, outputs }));
    for (const logger of loggers) expect(logger.open()).toBeNull();
    loggers[0]!.log(LOG_INFO, 'before');
    renameSync(path, `${path}.1`);
    loggers[1]!.log(LOG_INFO, 'after');
    loggers[0]!.log(LOG_INFO, 'after too');
    for (const logger of loggers) logger.close();
    await new Promise<void>((resolve) => outputs.close(resolve));
    expect(readFileSync(`${path}.1`, 'utf8')).toMatch(/db: before\n$/);
    expect(readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.replace(/^.*\]: /, ''))).toEqual(['web: after', 'db: after too']);
  });
});
