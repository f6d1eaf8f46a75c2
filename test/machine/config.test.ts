import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';

const base = { AUTOSSH_PATH: '/usr/bin/ssh' };

function run(args: string[], env: Record<string, string> = {}): Config {
  const outcome = parseCommandLine(args, { ...base, ...env });
  if (outcome.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(outcome)}`);
  return outcome.config;
}

describe('ssh argv, as 1.4g (Debian) builds it', () => {
  it.each([
    [['-M', '0', '-N', 'host'], ['-N', 'host']],
    // glibc getopt permutes: options first
    [['-M', '0', 'host', '-N'], ['-N', 'host']],
    [['-M', '0', 'host', '-L', '1:a:2', 'cmd'], ['-L', '1:a:2', 'host', 'cmd']],
    // the first -- is autossh's, later ones go to ssh
    [['-M', '0', '--', '-N', 'host', '--', 'cmd'], ['-N', 'host', '--', 'cmd']],
    [['host', '-M', '0', '--', '-x', 'cmd'], ['host', '-x', 'cmd']],
    // -f stripped from clusters; strip_arg skips the letter after a deleted f
    [['-M0', '-fN', 'host'], ['-N', 'host']],
    [['-M', '0', '-N', '-ff', 'host'], ['-N', '-f', 'host']],
    [['-M', '0', '-N', '-o', '-fx', 'host'], ['-N', '-o', '-x', 'host']],
    [['-M', '0', '-NL', '1:f:2', 'host'], ['-NL', '1:f:2', 'host']],
    // current OpenSSH's table: -J, -B and -P take values
    [['-M', '0', '-J', 'jump', 'host'], ['-J', 'jump', 'host']],
    [['-M', '0', '-B', 'eth0', 'host'], ['-B', 'eth0', 'host']],
    [['-M', '0', '-', 'host'], ['-', 'host']],
    [['-M', '0', '', 'host'], ['host']],
  ])('%j -> ssh %j', (args, expected) => {
    expect(run(args).sshArgv).toEqual(['/usr/bin/ssh', ...expected]);
  });

  it('puts the loop forwards first, wherever -M was (Debian)', () => {
    expect(run(['-N', '-M', '5000', 'host']).sshArgv).toEqual([
      '/usr/bin/ssh', '-L', '5000:127.0.0.1:5000', '-R', '5000:127.0.0.1:5001', '-N', 'host',
    ]);
  });

  it('puts the forwards first with AUTOSSH_PORT, and -M wins over it (Debian)', () => {
    const config = run(['-N', '-M', '5000', 'host'], { AUTOSSH_PORT: '6000' });
    expect(config.sshArgv.slice(1, 5)).toEqual(['-L', '5000:127.0.0.1:5000', '-R', '5000:127.0.0.1:5001']);
    expect(run(['-N', 'host'], { AUTOSSH_PORT: '6000' }).monitor).toEqual({ form: 'loop', writePort: 6000, readPort: 6001 });
    expect(run(['-M', '0', '-N', 'host'], { AUTOSSH_PORT: '6000' }).monitor).toBeNull();
  });

  it('gives the echo form one forward to the echo port', () => {
    const config = run(['-M', '5000:7', 'host']);
    expect(config.monitor).toEqual({ form: 'echo', writePort: 5000, echoPort: 7 });
    expect(config.sshArgv).toEqual(['/usr/bin/ssh', '-L', '5000:127.0.0.1:7', 'host']);
  });

  it('reads ports as C does (0x10 is 16) and the last -M wins', () => {
    expect(run(['-M', '0x10', 'host']).monitor).toEqual({ form: 'loop', writePort: 16, readPort: 17 });
    expect(run(['-M', '5000', '-M', '6000', 'host']).monitor).toMatchObject({ writePort: 6000 });
  });
});

describe('settings', () => {
  it('has 1.4g defaults', () => {
    const c = run(['-M', '0', 'h']);
    expect(c).toMatchObject({ gateSeconds: 30, pollSeconds: 600, firstPollSeconds: 600, netTimeoutMs: 15000, maxStart: -1, maxLifetimeSeconds: 0, killSeconds: 5 });
  });

  it('halves a short poll into the net timeout and lets -f force the gate to 0', () => {
    const c = run(['-f', '-M', '0', 'h'], { AUTOSSH_POLL: '6', AUTOSSH_GATETIME: '5' });
    expect(c.netTimeoutMs).toBe(3000);
    expect(c.gateSeconds).toBe(0);
    expect(c.runAsDaemon).toBe(true);
  });

  it('lowers POLL and FIRST_POLL to MAXLIFETIME', () => {
    const c = run(['-M', '0', 'h'], { AUTOSSH_POLL: '30', AUTOSSH_FIRST_POLL: '40', AUTOSSH_MAXLIFETIME: '12' });
    expect([c.pollSeconds, c.firstPollSeconds, c.maxLifetimeSeconds]).toEqual([12, 12, 12]);
  });

  it('keeps strtoul quirks: AUTOSSH_POLL=-5 silently means 600', () => {
    expect(run(['-M', '0', 'h'], { AUTOSSH_POLL: '-5' }).pollSeconds).toBe(600);
    expect(run(['-M', '0', 'h'], { AUTOSSH_POLL: ' 010' }).pollSeconds).toBe(8);
  });
});

describe('bad input', () => {
  it.each([
    [{ AUTOSSH_POLL: 'abc' }, 'invalid poll time "abc" (AUTOSSH_POLL)'],
    [{ AUTOSSH_POLL: '0' }, 'invalid poll time "0" (AUTOSSH_POLL)'],
    [{ AUTOSSH_FIRST_POLL: '' }, 'invalid first poll time "" (AUTOSSH_FIRST_POLL)'],
    [{ AUTOSSH_GATETIME: '-1' }, 'invalid gate time "-1" (AUTOSSH_GATETIME)'],
    [{ AUTOSSH_MAXSTART: '-2' }, 'invalid max start number "-2" (AUTOSSH_MAXSTART)'],
    [{ AUTOSSH_LOGLEVEL: '8' }, 'invalid log level "8" (AUTOSSH_LOGLEVEL)'],
    [{ AUTOSSH_MAXLIFETIME: '1h' }, 'invalid max lifetime "1h" (AUTOSSH_MAXLIFETIME)'],
    [{ AUTOSSH_KILLTIME: 'soon' }, 'invalid kill time "soon" (AUTOSSH_KILLTIME)'],
    [{ AUTOSSH_MESSAGE: 'x'.repeat(65) }, 'echo message may only be 64 bytes long (AUTOSSH_MESSAGE is 65)'],
  ])('%j is refused, naming the variable', (env, message) => {
    expect(parseCommandLine(['-M', '0', 'h'], { ...base, ...env })).toEqual({ kind: 'error', message });
  });

  it.each([
    [['-M', 'abc', 'h'], 'invalid port "abc"'],
    [['-M', '70000', 'h'], 'monitor port (70000) out of range'],
    [['-M', '5000:abc', 'h'], 'invalid echo port  "abc"'],
  ])('%j is refused', (args, message) => {
    expect(parseCommandLine(args, base)).toEqual({ kind: 'error', message });
  });

  it.each([
    [['-N', 'host'], null],
    [['-M', '0'], null],
    [['-M', '0', '--'], null],
    [['-M', '0', '-Z', 'h'], "invalid option -- 'Z'"],
    [['-M', '0', '-L'], "option requires an argument -- 'L'"],
  ])('%j is a usage error', (args, complaint) => {
    expect(parseCommandLine(args, base)).toEqual({ kind: 'usage', complaint });
  });

  it('answers -V before looking further, as getopt meets it', () => {
    expect(parseCommandLine(['-V', '-Z'], base)).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-Z', '-V'], base).kind).toBe('usage');
  });
});
