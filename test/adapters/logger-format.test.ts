// The log lines: 1.4g's text (what the oracle compares, unchanged), AUTOSSH_LOGFORMAT=json, and
// the daemon's tunnel names on shared outputs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogOutputs, Logger, type LoggerOptions } from '../../src/adapters/logger.js';
import { LOG_DEBUG, LOG_ERR, LOG_INFO } from '../../src/machine/config/log-levels.js';

describe('Logger', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autossh-ts-logger-'));
    file = join(dir, 'log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (options: Partial<LoggerOptions> = {}): Logger => {
    const logger = new Logger({ progName: 'autossh-ts', logFile: file, logLevel: LOG_INFO, debug: false, ...options });
    expect(logger.open()).toBeNull();
    return logger;
  };
  const lines = (): string[] => readFileSync(file, 'utf8').trimEnd().split('\n');
  const closed = (logger: Logger): Promise<void> => new Promise((resolve) => logger.close(resolve));

  it('writes 1.4g\'s text line, and nothing for a decision', async () => {
    const logger = open();
    logger.log(LOG_INFO, 'ssh exited with error status 255; restarting ssh');
    logger.decision('graceTime', 'wait 2 s');
    logger.log(LOG_DEBUG, 'below the level');
    await closed(logger);
    expect(readFileSync(file, 'utf8')).toMatch(
      new RegExp(`^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d autossh-ts\\[${process.pid}\\]: ssh exited with error status 255; restarting ssh\\n$`),
    );
  });

  it('json: the decision the machine emits right after a line rides on that line', async () => {
    const logger = open({ format: 'json' });
    logger.log(LOG_INFO, 'starting ssh (count 1)');
    logger.log(LOG_ERR, 'ssh exited with error status 255; restarting ssh');
    logger.decision('restartOnError', 'ssh exited with error status 255; restarting ssh');
    logger.log(LOG_DEBUG, 'sleeping for grace time 2 secs'); // below the level: so is its decision
    logger.decision('graceTime', '5 fast tries in a row: wait 2 s');
    await new Promise((resolve) => setTimeout(resolve, 0));
    logger.decision('hangupTestsNow', 'SIGHUP: test the connection now (D2)'); // no line of its own
    await closed(logger);
    const records = lines().map((line) => JSON.parse(line) as Record<string, string>);
    expect(records.map(({ time: _time, ...rest }) => rest)).toEqual([
      { level: 'info', message: 'starting ssh (count 1)' },
      { level: 'err', message: 'ssh exited with error status 255; restarting ssh', rule: 'restartOnError', decision: 'ssh exited with error status 255; restarting ssh' },
      { level: 'info', message: 'SIGHUP: test the connection now (D2)', rule: 'hangupTestsNow' },
    ]);
    for (const record of records) expect(new Date(record.time!).toISOString()).toBe(record.time);
  });

  it('names its tunnel, and tunnels share one descriptor per file', async () => {
    const outputs = new LogOutputs({ progName: 'autossh-ts' });
    const db = open({ tunnel: 'db', outputs });
    const web = open({ tunnel: 'web', outputs, format: 'json' });
    db.log(LOG_INFO, 'starting ssh (count 1)');
    web.log(LOG_INFO, 'starting ssh (count 1)');
    await closed(db);
    web.log(LOG_INFO, 'still here after db closed');
    await closed(web);
    await new Promise<void>((resolve) => outputs.close(resolve));
    const [text, ...json] = lines();
    expect(text).toMatch(/autossh-ts\[\d+\]: db: starting ssh \(count 1\)$/);
    expect(json.map((line) => JSON.parse(line) as Record<string, string>).map((r) => [r.tunnel, r.message])).toEqual([
      ['web', 'starting ssh (count 1)'],
      ['web', 'still here after db closed'],
    ]);
    expect(db.label('x')).toBe('db: x');
  });

  it('json: lines of several loggers go out in the order they were logged, their decisions still on them', async () => {
    // the daemon's own logger and two tunnels' on one set of outputs, as src/daemon builds them
    const outputs = new LogOutputs({ progName: 'autossh-ts' });
    const daemon = open({ outputs, format: 'json' });
    const db = open({ tunnel: 'db', outputs, format: 'json' });
    const web = open({ tunnel: 'web', outputs, format: 'json', logLevel: LOG_ERR });
    daemon.log(LOG_INFO, 'starting 2 tunnel(s)');
    db.log(LOG_INFO, 'starting ssh (count 1)');
    web.log(LOG_INFO, 'below web\'s level');
    web.decision('begin', 'filtered with its line');
    db.log(LOG_INFO, 'ssh child pid is 10');
    web.log(LOG_ERR, 'ssh exited with error status 255; restarting ssh');
    web.decision('restartOnError', 'rides on web\'s line');
    db.log(LOG_INFO, 'ssh child pid is 11');
    web.log(LOG_ERR, 'signalled to exit');
    db.decision('exitSignalled', 'not on web\'s line: a line of its own');
    await new Promise((resolve) => setTimeout(resolve, 0));
    daemon.log(LOG_ERR, 'a reload refused');
    daemon.decision('reloadRefused', 'rides on the daemon\'s line');
    await closed(daemon);
    await closed(db);
    await closed(web);
    await new Promise<void>((resolve) => outputs.close(resolve));
    const records = lines().map((line) => JSON.parse(line) as Record<string, string>);
    expect(records.map(({ time: _time, level: _level, ...rest }) => rest)).toEqual([
      { message: 'starting 2 tunnel(s)' },
      { tunnel: 'db', message: 'starting ssh (count 1)' },
      { tunnel: 'db', message: 'ssh child pid is 10' },
      { tunnel: 'web', message: 'ssh exited with error status 255; restarting ssh', rule: 'restartOnError', decision: 'rides on web\'s line' },
      { tunnel: 'db', message: 'ssh child pid is 11' },
      { tunnel: 'web', message: 'signalled to exit' },
      { tunnel: 'db', message: 'not on web\'s line: a line of its own', rule: 'exitSignalled' },
      { message: 'a reload refused', rule: 'reloadRefused', decision: 'rides on the daemon\'s line' },
    ]);
    const times = records.map((r) => Date.parse(r.time!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
