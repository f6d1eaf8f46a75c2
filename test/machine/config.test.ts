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
    [['-N'], null],
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

describe('the liveness settings (D9-D12)', () => {
  it('are off by default, so the drop-in decides as 1.4g does', () => {
    expect(run(['-M', '0', '-L', '1:a:2', 'h'])).toMatchObject({ connectSeconds: 0, forwardCheck: false, netWatch: false, jitterSeconds: 0 });
  });

  it('AUTOSSH_LIVENESS=1 turns D9-D11 on, and each rule\'s own variable overrides it', () => {
    expect(run(['-M', '0', 'h'], { AUTOSSH_LIVENESS: '1' })).toMatchObject({ connectSeconds: 60, forwardCheck: true, netWatch: true, jitterSeconds: 0 });
    expect(run(['-M', '0', 'h'], { AUTOSSH_LIVENESS: '1', AUTOSSH_CONNECTTIME: '0', AUTOSSH_NETWATCH: '0' }))
      .toMatchObject({ connectSeconds: 0, forwardCheck: true, netWatch: false });
    expect(run(['-M', '0', 'h'], { AUTOSSH_CONNECTTIME: '15', AUTOSSH_FORWARDCHECK: 'yes', AUTOSSH_JITTER: '30' }))
      .toMatchObject({ connectSeconds: 15, forwardCheck: true, netWatch: false, jitterSeconds: 30 });
  });

  it.each([
    [{ AUTOSSH_CONNECTTIME: 'soon' }, 'invalid connect time "soon" (AUTOSSH_CONNECTTIME)'],
    [{ AUTOSSH_CONNECTTIME: '-1' }, 'invalid connect time "-1" (AUTOSSH_CONNECTTIME)'],
    [{ AUTOSSH_JITTER: '1e3' }, 'invalid jitter "1e3" (AUTOSSH_JITTER)'],
    [{ AUTOSSH_NETWATCH: 'on' }, 'invalid switch "on" (AUTOSSH_NETWATCH: 1 or 0)'],
    [{ AUTOSSH_LIVENESS: '2' }, 'invalid switch "2" (AUTOSSH_LIVENESS: 1 or 0)'],
  ])('%j is refused, naming the variable', (env, message) => {
    expect(parseCommandLine(['-M', '0', 'h'], { ...base, ...env })).toEqual({ kind: 'error', message });
  });

  it.each([
    // -L in its forms, -D, -M's own forward, LocalForward/DynamicForward; a unix socket is no port
    [['-M', '0', '-N', '-L', '5432:db:5432', 'h'], [5432], false],
    [['-M', '0', '-L', '127.0.0.1:8080:web:80', '-L8443:web:443', 'h'], [8080, 8443], false],
    [['-M', '0', '-L', '[::1]:9000:x:90', 'h'], [9000], false],
    [['-M', '0', '-D', '1080', '-D', 'localhost:1081', 'h'], [1080, 1081], false],
    [['-M', '20000', 'h'], [20000], false],
    [['-M', '0', '-o', 'LocalForward=7000 db:5432', '-o', 'DynamicForward 7001', 'h'], [7000, 7001], false],
    [['-M', '0', '-L', '/tmp/s.sock:/var/run/x.sock', 'h'], [], false],
    // a port forwarded to a remote unix socket listens here all the same (ssh -G: localforward 5432 /tmp/r.sock)
    [['-M', '0', '-L', '5432:/run/postgresql/.s.PGSQL.5432', '-L', '127.0.0.1:6379:/run/redis.sock', 'h'], [5432, 6379], false],
    // -R opens nothing here; ssh's own "Authenticated to" line comes with LogLevel VERBOSE or -v
    [['-M', '0', '-R', '2222:localhost:22', 'h'], [], false],
    [['-M', '0', '-o', 'LogLevel=VERBOSE', '-R', '2222:localhost:22', 'h'], [], true],
    [['-M', '0', '-vN', 'h'], [], true],
    // with a port to see, the line (which a server's banner can imitate) is not used
    [['-M', '0', '-v', '-L', '5432:db:5432', 'h'], [5432], false],
    [['-M', '20000', '-o', 'LogLevel=DEBUG1', 'h'], [20000], false],
    // autossh moves options before the destination (getopt); after `--` ssh reads the rest
    // itself: options after the destination count, those inside the remote command do not
    [['-M', '0', 'h', 'cmd', '-L', '5000:x:1'], [5000], false],
    [['-M', '0', '--', 'h', '-L', '5000:x:1'], [5000], false],
    [['-M', '0', '--', 'h', 'cmd', '-L', '5000:x:1'], [], false],
  ])('evidence of a session for %j: listens on %j, auth line %j', (args, listenPorts, authLine) => {
    expect(run(args).evidence).toEqual({ listenPorts, authLine });
  });

  it.each([
    // -R in its forms: [bind:]port:host:hostport, [bind:]port:/socket, [bind:]port (SOCKS), 0 (the server picks)
    [['-M', '0', '-R', '2222:localhost:22', '-R', '10.0.0.1:2223:db:5432', '-R2224:/run/x.sock', 'h'], [2222, 2223, 2224]],
    [['-M', '0', '-R', '1080', '-R', 'localhost:1081', '-R', '[::1]:1082', '-R', '[::1]:1083:db:5', 'h'], [1080, 1081, 1082, 1083]],
    [['-M', '0', '-R', '0:localhost:22', 'h'], [0]],
    // a remote unix socket has no port; -L and -D ask the server for nothing
    [['-M', '0', '-R', '/tmp/r.sock:localhost:22', '-R', '/tmp/r2.sock:/tmp/l.sock', '-L', '5432:db:5432', '-D', '1080', 'h'], []],
    // RemoteForward's first word; -M's loop asks for its write port on the server
    [['-M', '0', '-o', 'RemoteForward=7000 localhost:22', '-o', 'RemoteForward 7001', 'h'], [7000, 7001]],
    [['-M', '20000', 'h'], [20000]],
    [['-M', '20000:7', 'h'], []],
    // inside the remote command, -R is the command's
    [['-M', '0', '--', 'h', 'cmd', '-R', '5000:x:1'], []],
  ])('the remote forwards of %j: %j', (args, ports) => {
    expect(run(args).remoteForwardPorts).toEqual(ports);
  });
});
