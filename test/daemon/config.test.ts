import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REFUSED_VARIABLES, TUNNEL_VARIABLES } from '../../src/daemon/config/env-rules.js';
import { MAX_TUNNELS } from '../../src/daemon/config/document.js';
import { loadDaemonConfig, MAX_CONFIG_BYTES } from '../../src/daemon/config/load.js';
import { parseDaemonConfig } from '../../src/daemon/config/parse.js';
import { ConfigFileError, type DaemonConfig } from '../../src/daemon/config/types.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { configErrorOf } from '../support/daemon-config.js';

const FILE = 'tunnels.toml';
const parse = (text: string): DaemonConfig => parseDaemonConfig(text, FILE);

/** the exact message, which starts with file:line */
const errorOf = (text: string): string => configErrorOf(() => parse(text));

const lines = (...rows: string[]): string => `${rows.join('\n')}\n`;
const TUNNEL_DB = ['[[tunnel]]', 'name = "db"', 'args = ["-M", "0", "-N", "-L", "5432:db:5432", "tunnel@bastion"]'];

describe('a good file', () => {
  it('loads the issue\'s example (test/fixtures/daemon/example.toml)', () => {
    const config = loadDaemonConfig('test/fixtures/daemon/example.toml');
    expect(config.path).toBe('test/fixtures/daemon/example.toml');
    expect(config.status).toEqual({ host: '127.0.0.1', port: 9273 });
    expect(config.logFormat).toBe('text');
    expect(config.tunnels).toHaveLength(1);
    const db = config.tunnels[0]!;
    expect(db.name).toBe('db');
    expect(db.line).toBe(7);
    expect(db.args).toEqual(['-M', '0', '-N', '-o', 'ServerAliveInterval=15', '-L', '127.0.0.1:5432:db.internal:5432', 'tunnel@bastion']);
    expect(db.env).toEqual({ AUTOSSH_LIVENESS: '1', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '60', AUTOSSH_MAXSTART: '100' });
    expect(db.config.sshArgv).toEqual(['ssh', '-N', '-o', 'ServerAliveInterval=15', '-L', '127.0.0.1:5432:db.internal:5432', 'tunnel@bastion']);
    expect(db.config.maxStart).toBe(100);
    expect(db.config.pollSeconds).toBe(60);
    // the liveness rules are on in a daemon
    expect(db.config.connectSeconds).toBe(60);
    expect(db.config.forwardCheck).toBe(true);
    expect(db.config.netWatch).toBe(true);
    expect(db.notices).toEqual([{ level: 6, message: 'port set to 0, monitoring disabled' }]);
  });

  it('round-trips every section: what the file says is what the config holds', () => {
    const config = parse(lines(
      '[status]',
      'listen = "[::1]:9100"',
      '[log]',
      'format = "json"',
      '[defaults]',
      'env = { AUTOSSH_POLL = 30, AUTOSSH_PATH = "/usr/bin/ssh" }',
      ...TUNNEL_DB,
      '[[tunnel]]',
      'name = "web.1"',
      'args = "-M 20000 -N -o \'ServerAliveInterval 15\' -D 1080 web@host"',
      '[tunnel.env]',
      'AUTOSSH_MESSAGE = "hello"',
    ));
    expect(config.status).toEqual({ host: '::1', port: 9100 });
    expect(config.logFormat).toBe('json');
    expect(config.tunnels.map((t) => t.name)).toEqual(['db', 'web.1']);
    const web = config.tunnels[1]!;
    expect(web.args).toEqual(['-M', '20000', '-N', '-o', 'ServerAliveInterval 15', '-D', '1080', 'web@host']);
    expect(web.env).toEqual({ AUTOSSH_LIVENESS: '1', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '30', AUTOSSH_PATH: '/usr/bin/ssh', AUTOSSH_MESSAGE: 'hello' });
    expect(web.config.monitor).toEqual({ form: 'loop', writePort: 20000, readPort: 20001 });
    expect(web.config.sshArgv[0]).toBe('/usr/bin/ssh');
    expect(web.config.testMessage).toBe('hello');
    expect(web.line).toBe(10);
    // each tunnel's Config is exactly what the drop-in's parser makes of the same args and env
    for (const tunnel of config.tunnels) {
      const dropIn = parseCommandLine(tunnel.args, tunnel.env, tunnel.config.jitterSeed);
      expect(dropIn).toEqual({ kind: 'run', config: tunnel.config, notices: tunnel.notices });
    }
  });

  it('has no [status] endpoint unless asked; an empty [status] listens on loopback 9273', () => {
    expect(parse(lines(...TUNNEL_DB)).status).toBeNull();
    expect(parse(lines('[status]', ...TUNNEL_DB)).status).toEqual({ host: '127.0.0.1', port: 9273 });
    expect(parse(lines('[status]', 'listen = "0.0.0.0:80"', ...TUNNEL_DB)).status).toEqual({ host: '0.0.0.0', port: 80 });
  });

  it('gives each tunnel a jitter seed from its name: the same on every load, different between names', () => {
    const text = lines(...TUNNEL_DB, '[[tunnel]]', 'name = "web"', 'args = ["-M", "0", "web@host"]');
    const [db, web] = parse(text).tunnels;
    expect(db!.config.jitterSeed).toBe(parse(text).tunnels[0]!.config.jitterSeed);
    expect(db!.config.jitterSeed).not.toBe(web!.config.jitterSeed);
  });
});

describe('env precedence: the daemon\'s defaults < [defaults].env < the tunnel\'s env', () => {
  const envOf = (defaults: string | null, own: string | null): Record<string, string> => parse(lines(
    ...(defaults === null ? [] : ['[defaults]', `env = { ${defaults} }`]),
    ...TUNNEL_DB,
    ...(own === null ? [] : [`env = { ${own} }`]),
  )).tunnels[0]!.env;

  it('the daemon turns the liveness rules on and the gate off', () => {
    expect(envOf(null, null)).toEqual({ AUTOSSH_LIVENESS: '1', AUTOSSH_GATETIME: '0' });
  });

  it('[defaults].env overrides the daemon, the tunnel overrides both', () => {
    expect(envOf('AUTOSSH_LIVENESS = "0", AUTOSSH_POLL = "60"', null)).toEqual({ AUTOSSH_LIVENESS: '0', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '60' });
    expect(envOf('AUTOSSH_LIVENESS = "0", AUTOSSH_POLL = "60"', 'AUTOSSH_POLL = "90", AUTOSSH_LIVENESS = "1"'))
      .toEqual({ AUTOSSH_LIVENESS: '1', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '90' });
    expect(envOf(null, 'AUTOSSH_GATETIME = "30"')).toEqual({ AUTOSSH_LIVENESS: '1', AUTOSSH_GATETIME: '30' });
  });

  it('reaches the Config: liveness off in the file turns the rules off', () => {
    const config = parse(lines('[defaults]', 'env = { AUTOSSH_LIVENESS = "0" }', ...TUNNEL_DB)).tunnels[0]!.config;
    expect(config.connectSeconds).toBe(0);
    expect(config.forwardCheck).toBe(false);
  });

  it('ignores the process\'s own AUTOSSH_* environment: the file is the whole truth', () => {
    const saved = process.env.AUTOSSH_POLL;
    process.env.AUTOSSH_POLL = '7';
    try {
      expect(parse(lines(...TUNNEL_DB)).tunnels[0]!.config.pollSeconds).toBe(600);
    } finally {
      if (saved === undefined) delete process.env.AUTOSSH_POLL;
      else process.env.AUTOSSH_POLL = saved;
    }
  });
});

describe('the variables an env table may hold', () => {
  it('are every AUTOSSH_* variable the drop-in reads, each either allowed or refused with a reason', () => {
    const read = new Set(readFileSync('src/machine/config/env.ts', 'utf8').match(/AUTOSSH_[A-Z_]+/g));
    const known = new Set([...TUNNEL_VARIABLES, ...Object.keys(REFUSED_VARIABLES)]);
    expect([...read].filter((name) => !known.has(name))).toEqual([]);
    // AUTOSSH_LOGFORMAT: the daemon's logs are set by [log]; refused even if the drop-in never reads it
    expect([...known].filter((name) => !read.has(name) && name !== 'AUTOSSH_LOGFORMAT')).toEqual([]);
  });
});

describe('definitionKey: a reload restarts only what changed', () => {
  const db = 'name = "db"\nargs = ["-M", "0", "-L", "5432:db:5432", "db@host"]\nenv = { AUTOSSH_POLL = "60", AUTOSSH_MAXSTART = "5" }';
  const web = 'name = "web"\nargs = ["-M", "0", "-L", "8080:web:80", "web@host"]';
  const keys = (text: string): Record<string, string> =>
    Object.fromEntries(parse(text).tunnels.map((t) => [t.name, t.definitionKey]));
  const base = keys(`[[tunnel]]\n${db}\n[[tunnel]]\n${web}\n`);

  it('is the same when the tunnels or the env keys change order, or args become one string', () => {
    expect(keys(`[[tunnel]]\n${web}\n[[tunnel]]\n${db}\n`)).toEqual(base);
    expect(keys(`[[tunnel]]\n${db.replace('AUTOSSH_POLL = "60", AUTOSSH_MAXSTART = "5"', 'AUTOSSH_MAXSTART = 5, AUTOSSH_POLL = "60"')}\n[[tunnel]]\n${web}\n`)).toEqual(base);
    expect(keys(`[[tunnel]]\n${db}\n[[tunnel]]\n${web.replace(/args = .*/, 'args = "-M 0 -L 8080:web:80 web@host"')}\n`)).toEqual(base);
  });

  it('is the same when [defaults].env gives what the tunnels gave themselves', () => {
    const own = keys(`[[tunnel]]\n${db}\n[[tunnel]]\n${web}\nenv = { AUTOSSH_POLL = "60" }\n`);
    const moved = keys(`[defaults]\nenv = { AUTOSSH_POLL = "60" }\n[[tunnel]]\n${db.replace('AUTOSSH_POLL = "60", ', '')}\n[[tunnel]]\n${web}\n`);
    expect(moved).toEqual(own);
  });

  it('changes with an args change, an env change, or a [defaults] change, for the tunnels it reaches', () => {
    const argsChanged = keys(`[[tunnel]]\n${db.replace('5432:db:5432', '5433:db:5432')}\n[[tunnel]]\n${web}\n`);
    expect(argsChanged.db).not.toBe(base.db);
    expect(argsChanged.web).toBe(base.web);
    const envChanged = keys(`[[tunnel]]\n${db.replace('"60"', '"61"')}\n[[tunnel]]\n${web}\n`);
    expect(envChanged.db).not.toBe(base.db);
    expect(envChanged.web).toBe(base.web);
    const defaultsChanged = keys(`[defaults]\nenv = { AUTOSSH_POLL = "30" }\n[[tunnel]]\n${db}\n[[tunnel]]\n${web}\n`);
    expect(defaultsChanged.db).toBe(base.db); // its own POLL wins
    expect(defaultsChanged.web).not.toBe(base.web);
  });
});

describe('bad files: the file, the line and the problem', () => {
  it.each([
    // TOML itself
    ['not TOML', lines('[status]', 'listen = ', ...TUNNEL_DB),
      'tunnels.toml:2: not valid TOML: invalid value (column 10)'],
    ['a table defined twice', lines('[status]', '[status]', ...TUNNEL_DB),
      'tunnels.toml:2: not valid TOML: trying to redefine an already defined table or value (column 2)'],
    // unknown keys
    ['an unknown top-level key', lines(...TUNNEL_DB, '', '[[tunnels]]', 'name = "x"'),
      'tunnels.toml:5: unknown key "tunnels" in the file\'s top level (known keys: status, log, defaults, tunnel)'],
    ['an unknown key in [status]', lines('[status]', 'listen = "127.0.0.1:9273"', 'lisen = "x"', ...TUNNEL_DB),
      'tunnels.toml:3: unknown key "lisen" in [status] (known keys: listen)'],
    ['an unknown key in [log]', lines('[log]', 'level = "debug"', ...TUNNEL_DB),
      'tunnels.toml:2: unknown key "level" in [log] (known keys: format)'],
    ['an unknown key in [defaults]', lines('[defaults]', 'args = ["-N"]', ...TUNNEL_DB),
      'tunnels.toml:2: unknown key "args" in [defaults] (known keys: env, restart, restart_sec, start_limit_burst, start_limit_interval_sec, restart_max_delay_sec)'],
    ['an unknown key in a tunnel', lines(...TUNNEL_DB, '[[tunnel]]', 'name = "web"', 'arg = ["-M", "0", "h"]'),
      'tunnels.toml:6: unknown key "arg" in [[tunnel]] number 2 (known keys: name, args, env, restart, restart_sec, start_limit_burst, start_limit_interval_sec, restart_max_delay_sec)'],
    ['an unknown dotted key in a tunnel', lines(...TUNNEL_DB, 'env.AUTOSSH_POLL = "60"', 'ssh.path = "/x"'),
      'tunnels.toml:5: unknown key "ssh" in [[tunnel]] number 1 (known keys: name, args, env, restart, restart_sec, start_limit_burst, start_limit_interval_sec, restart_max_delay_sec)'],
    // wrong types
    ['args = 5', lines('[[tunnel]]', 'name = "db"', 'args = 5'),
      'tunnels.toml:3: tunnel "db": args must be an array of strings or one string, not an integer'],
    ['a number among args', lines('[[tunnel]]', 'name = "db"', 'args = [', '  "-M",', '  0,', '  "host",', ']'),
      'tunnels.toml:5: tunnel "db": args must hold only strings: item 2 is an integer (quote it: "0")'],
    ['an env value that is a boolean', lines(...TUNNEL_DB, 'env = { AUTOSSH_POLL = "60", AUTOSSH_LIVENESS = true }'),
      'tunnels.toml:4: tunnel "db": env: AUTOSSH_LIVENESS must be a string (or a whole number), not a boolean'],
    ['an env value that is a fraction', lines('[defaults.env]', 'AUTOSSH_POLL = 1.5', ...TUNNEL_DB),
      'tunnels.toml:2: [defaults] env: AUTOSSH_POLL must be a string (or a whole number), not a number with a fraction'],
    ['env that is not a table', lines(...TUNNEL_DB, 'env = "AUTOSSH_POLL=60"'),
      'tunnels.toml:4: tunnel "db": env must be a table, not a string'],
    ['a name that is a number', lines('[[tunnel]]', 'name = 5', 'args = "-M 0 h"'),
      'tunnels.toml:2: [[tunnel]] number 1: name must be a string, not an integer'],
    ['[status] that is not a table', lines('status = "127.0.0.1:9273"', ...TUNNEL_DB),
      'tunnels.toml:1: [status] must be a table, not a string'],
    ['listen that is a number', lines('[status]', 'listen = 9273', ...TUNNEL_DB),
      'tunnels.toml:2: [status] listen must be a string such as "127.0.0.1:9273", not an integer'],
    ['a log format we do not write', lines('[log]', 'format = "xml"', ...TUNNEL_DB),
      'tunnels.toml:2: [log] format must be "text" or "json", not "xml"'],
    // names
    ['a tunnel without a name', lines('[[tunnel]]', 'args = "-M 0 h"'),
      'tunnels.toml:1: [[tunnel]] number 1 has no name (name = "...": the tunnel\'s key for reload, logs and metrics)'],
    ['an empty name', lines('[[tunnel]]', 'name = ""', 'args = "-M 0 h"'),
      'tunnels.toml:2: [[tunnel]] number 1: name is empty'],
    ['a name unfit for a label', lines('[[tunnel]]', 'name = "db main"', 'args = "-M 0 h"'),
      'tunnels.toml:2: [[tunnel]] number 1: name "db main" may hold only letters, digits, "_", "." and "-" (it is a metrics label and a log field)'],
    ['a duplicate name', lines(...TUNNEL_DB, '', '[[tunnel]]', 'args = ["-M", "0", "h"]', 'name = "db"'),
      'tunnels.toml:7: tunnel name "db" is used twice (first at line 2): names must be unique, a name is the tunnel\'s identity'],
    ['a tunnel without args', lines('[[tunnel]]', 'name = "db"'),
      'tunnels.toml:1: tunnel "db" has no args (args = [...]: autossh\'s command line, without "autossh")'],
    // tunnels
    ['no tunnel', lines('[status]', 'listen = "127.0.0.1:9273"'),
      'tunnels.toml: no [[tunnel]] in the file: the daemon needs at least one tunnel'],
    ['[tunnel] with one bracket', lines('[tunnel]', 'name = "db"', 'args = "-M 0 h"'),
      'tunnels.toml:1: tunnels are an array of tables: write [[tunnel]] (two brackets) before each one'],
    // env rules
    ['a variable that is not AUTOSSH_*', lines(...TUNNEL_DB, 'env = { PATH = "/bin" }'),
      'tunnels.toml:4: tunnel "db": env: "PATH" is not an AUTOSSH_* variable: env holds autossh\'s settings only (ssh options go in args)'],
    ['a misspelt variable', lines('[defaults]', 'env = { AUTOSSH_POL = "60" }', ...TUNNEL_DB),
      'tunnels.toml:2: [defaults] env: unknown variable AUTOSSH_POL (known: AUTOSSH_PATH, AUTOSSH_LOGLEVEL, AUTOSSH_POLL, AUTOSSH_FIRST_POLL, AUTOSSH_GATETIME, AUTOSSH_MAXSTART, AUTOSSH_MESSAGE, AUTOSSH_PORT, AUTOSSH_MAXLIFETIME, AUTOSSH_KILLTIME, AUTOSSH_LIVENESS, AUTOSSH_CONNECTTIME, AUTOSSH_FORWARDCHECK, AUTOSSH_NETWATCH, AUTOSSH_JITTER)'],
    // what exec would refuse is refused at load, not when the tunnel starts (a reload must not crash)
    ['a NUL byte in args', lines('[[tunnel]]', 'name = "db"', 'args = ["-M", "0", "h\\u0000x"]'),
      'tunnels.toml:3: tunnel "db": args[2] holds a NUL byte, which no command line can carry'],
    ['an argument too long for exec', lines('[[tunnel]]', 'name = "db"', `args = ["-M", "0", "-oUser=${'x'.repeat(200_000)}", "h"]`),
      'tunnels.toml:3: tunnel "db": args[2] is 200008 bytes: exec takes at most 131072 in one argument'],
    ['AUTOSSH_LOGFILE', lines(...TUNNEL_DB, '[tunnel.env]', 'AUTOSSH_POLL = "60"', 'AUTOSSH_LOGFILE = "/var/log/db.log"'),
      'tunnels.toml:6: tunnel "db": env: AUTOSSH_LOGFILE cannot be set in the daemon\'s file: logging is the daemon\'s, for every tunnel: set AUTOSSH_LOGFILE in the daemon\'s own environment, or leave it to syslog'],
    ['AUTOSSH_DEBUG', lines('[defaults]', 'env = { AUTOSSH_DEBUG = "1" }', ...TUNNEL_DB),
      'tunnels.toml:2: [defaults] env: AUTOSSH_DEBUG cannot be set in the daemon\'s file: logging is the daemon\'s: use AUTOSSH_LOGLEVEL = "7" for this tunnel\'s debug messages'],
    // a relative AUTOSSH_PATH would be looked for from the daemon's working directory: refused at load
    ['a relative AUTOSSH_PATH', lines(...TUNNEL_DB, '[tunnel.env]', 'AUTOSSH_POLL = "60"', 'AUTOSSH_PATH = "bin/ssh"'),
      'tunnels.toml:6: tunnel "db": AUTOSSH_PATH "bin/ssh" is not an absolute path: the daemon\'s working directory is whatever started it, so write the program\'s full path (e.g. "/usr/bin/ssh"), or leave AUTOSSH_PATH out for ssh from PATH'],
    ['a relative AUTOSSH_PATH in [defaults], at its line, naming the first tunnel', lines('[defaults]', 'env = { AUTOSSH_PATH = "./ssh" }', ...TUNNEL_DB),
      'tunnels.toml:2: tunnel "db": AUTOSSH_PATH "./ssh" is not an absolute path: the daemon\'s working directory is whatever started it, so write the program\'s full path (e.g. "/usr/bin/ssh"), or leave AUTOSSH_PATH out for ssh from PATH'],
    ['a bare name for AUTOSSH_PATH', lines(...TUNNEL_DB, 'env = { AUTOSSH_PATH = "ssh" }'),
      'tunnels.toml:4: tunnel "db": AUTOSSH_PATH "ssh" is not an absolute path: the daemon\'s working directory is whatever started it, so write the program\'s full path (e.g. "/usr/bin/ssh"), or leave AUTOSSH_PATH out for ssh from PATH'],
    ['an empty AUTOSSH_PATH', lines(...TUNNEL_DB, 'env = { AUTOSSH_PATH = "" }'),
      'tunnels.toml:4: tunnel "db": AUTOSSH_PATH "" is not an absolute path: the daemon\'s working directory is whatever started it, so write the program\'s full path (e.g. "/usr/bin/ssh"), or leave AUTOSSH_PATH out for ssh from PATH'],
    ['AUTOSSH_PIDFILE', lines(...TUNNEL_DB, 'env = { AUTOSSH_PIDFILE = "/run/db.pid" }'),
      'tunnels.toml:4: tunnel "db": env: AUTOSSH_PIDFILE cannot be set in the daemon\'s file: every tunnel runs in the daemon\'s one process: systemd (or a pid file of the daemon\'s) knows its pid'],
  ])('%s', (_what, text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('reads args from a multi-line string continued as in a shell', () => {
    expect(parse(lines('[[tunnel]]', 'name = "db"', "args = '''", '  -M 0 -N \\', '  host', "'''")).tunnels[0]!.args)
      .toEqual(['-M', '0', '-N', 'host']);
    expect(errorOf(lines('[[tunnel]]', 'name = "db"', "args = '''", '  -M 0 -N', '  host', "'''")))
      .toBe('tunnels.toml:3: tunnel "db": args: a line break at character 10 would end the command in a shell: end the line with "\\" to continue it, or give args as an array');
  });

  it('refuses more tunnels than one daemon runs', () => {
    const many = Array.from({ length: MAX_TUNNELS + 1 }, (_, i) => `[[tunnel]]\nname = "t${i}"\nargs = "-M 0 h"\n`).join('');
    expect(errorOf(`# many\n${many}`)).toBe(`tunnels.toml:2: ${MAX_TUNNELS + 1} tunnels: one daemon runs at most ${MAX_TUNNELS}`);
  });

  it('names the key on its own line also when the value spans lines, or in a dotted header', () => {
    expect(errorOf(lines(
      '[[tunnel]]', 'name = "db"', "args = '''", '-M 0 \\', "host'''", '[tunnel.env]', '# a comment', 'AUTOSSH_X = "1"',
    ))).toMatch(/^tunnels\.toml:8: tunnel "db": env: unknown variable AUTOSSH_X /);
  });
});

describe('tunnels the drop-in\'s parser refuses: its message, the tunnel and the line', () => {
  it.each([
    ['a bad -M', lines('', ...TUNNEL_DB, '[[tunnel]]', 'name = "db2"', 'args = ["-M", "abc", "host"]'),
      'tunnels.toml:7: tunnel "db2": invalid port "abc"'],
    ['a monitor port out of range', lines('[[tunnel]]', 'name = "db"', 'args = "-M 65535 host"'),
      'tunnels.toml:3: tunnel "db": monitor port (65535) out of range'],
    ['an unknown option', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 -Z host"'),
      'tunnels.toml:3: tunnel "db": invalid option -- \'Z\''],
    ['an option without its value', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 host -L"'),
      'tunnels.toml:3: tunnel "db": option requires an argument -- \'L\''],
    ['no host', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 -N"'),
      'tunnels.toml:3: tunnel "db": no destination host in args (the last word, e.g. "user@host")'],
    ['neither host nor monitor port', lines('[[tunnel]]', 'name = "db"', 'args = []'),
      'tunnels.toml:3: tunnel "db": no destination host in args (the last word, e.g. "user@host")'],
    ['-f', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 -f -N host"'),
      'tunnels.toml:3: tunnel "db": -f cannot be used here: the daemon runs every tunnel in its own process and does not fork per tunnel (remove -f; the daemon\'s tunnels keep trying as -f\'s do, AUTOSSH_GATETIME = 0)'],
    ['-V', lines('[[tunnel]]', 'name = "db"', 'args = "-V"'),
      'tunnels.toml:3: tunnel "db": -V prints the version and runs no tunnel: remove it'],
    ['a bad value in the tunnel\'s env: its line', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 host"', '[tunnel.env]', 'AUTOSSH_MAXSTART = "5"', 'AUTOSSH_POLL = "soon"'),
      'tunnels.toml:6: tunnel "db": invalid poll time "soon" (AUTOSSH_POLL)'],
    ['a bad value in [defaults]: its line, and the first tunnel it breaks', lines('[defaults]', 'env = { AUTOSSH_LIVENESS = "maybe" }', ...TUNNEL_DB),
      'tunnels.toml:2: tunnel "db": invalid switch "maybe" (AUTOSSH_LIVENESS: 1 or 0)'],
    ['a shell line with an expansion', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 -i $HOME/.ssh/key host"'),
      'tunnels.toml:3: tunnel "db": args: "$" at character 9: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['a shell line with an open quote', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 -o \'ServerAliveInterval 15 host"'),
      'tunnels.toml:3: tunnel "db": args: unterminated \' quote at character 9'],
  ])('%s', (_what, text, message) => {
    expect(errorOf(text)).toBe(message);
  });
});

describe('ports two tunnels cannot share', () => {
  const tunnel = (name: string, args: string, env = ''): string[] =>
    ['[[tunnel]]', `name = "${name}"`, `args = "${args}"`, ...(env ? [`env = { ${env} }`] : [])];

  it.each([
    ['a forward port', lines(...tunnel('db', '-M 0 -L 5432:db:5432 h'), ...tunnel('db2', '-M 0 -L 127.0.0.1:5432:db2:5432 h')),
      'tunnels.toml:6: tunnel "db2" and tunnel "db", line 3 both listen on local port 5432 (db2: forward port (-L/-D); db: forward port (-L/-D)): give each tunnel its own ports'],
    ['a -D port and a -L port', lines(...tunnel('socks', '-M 0 -D 1080 h'), ...tunnel('web', '-M 0 -N -L 1080:web:80 h')),
      'tunnels.toml:6: tunnel "web" and tunnel "socks", line 3 both listen on local port 1080 (web: forward port (-L/-D); socks: forward port (-L/-D)): give each tunnel its own ports'],
    ['a port forwarded to a remote unix socket', lines(...tunnel('db', '-M 0 -L 5432:db:5432 h'), ...tunnel('pg', '-M 0 -L 5432:/run/postgresql/.s.PGSQL.5432 h')),
      'tunnels.toml:6: tunnel "pg" and tunnel "db", line 3 both listen on local port 5432 (pg: forward port (-L/-D); db: forward port (-L/-D)): give each tunnel its own ports'],
    ['one monitor port', lines(...tunnel('a', '-M 20000 h'), ...tunnel('b', '-M 20000 h')),
      'tunnels.toml:6: tunnel "b" and tunnel "a", line 3 both listen on local port 20000 (b: monitor port (-M 20000); a: monitor port (-M 20000)): give each tunnel its own ports'],
    ['the loop\'s read port (-M wp listens on wp+1)', lines(...tunnel('a', '-M 20000 h'), ...tunnel('b', '-M 20001 h')),
      'tunnels.toml:6: tunnel "b" and tunnel "a", line 3 both listen on local port 20001 (b: monitor port (-M 20001); a: monitor read port (-M 20000 listens on 20001 too)): give each tunnel its own ports'],
    ['a monitor port from AUTOSSH_PORT in [defaults], given to every tunnel', lines('[defaults]', 'env = { AUTOSSH_PORT = "20000" }', ...tunnel('a', '-N h'), ...tunnel('b', '-N h')),
      'tunnels.toml:8: tunnel "b" and tunnel "a", line 5 both listen on local port 20000 (b: monitor port (-M 20000); a: monitor port (-M 20000)): give each tunnel its own ports'],
    ['a monitor port and a forward port', lines(...tunnel('a', '-M 20000:7 h'), ...tunnel('b', '-M 0 -L 20000:x:1 h')),
      'tunnels.toml:6: tunnel "b" and tunnel "a", line 3 both listen on local port 20000 (b: forward port (-L/-D); a: monitor port (-M 20000:7)): give each tunnel its own ports'],
    ['the status port', lines('[status]', 'listen = "127.0.0.1:8080"', ...tunnel('web', '-M 0 -L 8080:web:80 h')),
      'tunnels.toml:2: [status] listen port 8080 is also tunnel "web"\'s, line 5 forward port (-L/-D): choose another port for one of them'],
  ])('%s', (_what, text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('lets tunnels share remote ports, and -M 20000 sit beside -M 20002', () => {
    const config = parse(lines(...tunnel('a', '-M 20000 -R 8080:x:80 h'), ...tunnel('b', '-M 20002 -R 8080:x:80 h2')));
    expect(config.tunnels).toHaveLength(2);
  });
});

describe('[status] listen', () => {
  it.each([
    ['localhost:9273', null],
    ['9273', 'tunnels.toml:2: [status] listen "9273" is not host:port (write an IPv6 address in brackets: "[::1]:9273")'],
    ['::1:9273', 'tunnels.toml:2: [status] listen "::1:9273" is not host:port (write an IPv6 address in brackets: "[::1]:9273")'],
    [':9273', 'tunnels.toml:2: [status] listen ":9273" has no address (write "127.0.0.1:9273" for loopback, "0.0.0.0:9273" for every interface)'],
    ['[127.0.0.1]:9273', 'tunnels.toml:2: [status] listen "[127.0.0.1]:9273": "127.0.0.1" in brackets is not an IPv6 address'],
    ['status.example.com:9273', 'tunnels.toml:2: [status] listen "status.example.com:9273": "status.example.com" is not an IP address (or localhost)'],
    ['127.0.0.1:0', 'tunnels.toml:2: [status] listen "127.0.0.1:0": port "0" is not a number from 1 to 65535'],
    ['127.0.0.1:65536', 'tunnels.toml:2: [status] listen "127.0.0.1:65536": port "65536" is not a number from 1 to 65535'],
    ['127.0.0.1:http', 'tunnels.toml:2: [status] listen "127.0.0.1:http": port "http" is not a number from 1 to 65535'],
  ])('%s', (listen, message) => {
    const text = lines('[status]', `listen = "${listen}"`, ...TUNNEL_DB);
    if (message === null) expect(parse(text).status).toEqual({ host: 'localhost', port: 9273 });
    else expect(errorOf(text)).toBe(message);
  });
});

describe('loadDaemonConfig: reading the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daemon-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const loadError = (path: string): string => configErrorOf(() => loadDaemonConfig(path));

  it('names a missing file, a directory, an unreadable file', () => {
    expect(loadError(join(dir, 'missing.toml'))).toBe(`${join(dir, 'missing.toml')}: cannot read the configuration file: no such file`);
    expect(loadError(dir)).toBe(`${dir}: cannot read the configuration file: a directory, not a file`);
    const locked = join(dir, 'locked.toml');
    writeFileSync(locked, lines(...TUNNEL_DB));
    chmodSync(locked, 0o000);
    if (process.getuid?.() !== 0) expect(loadError(locked)).toBe(`${locked}: cannot read the configuration file: permission denied`);
  });

  it('refuses a file that is not UTF-8, and names the path as given in every message', () => {
    const latin1 = join(dir, 'latin1.toml');
    writeFileSync(latin1, Buffer.from([...Buffer.from('# caf'), 0xe9, 0x0a]));
    expect(loadError(latin1)).toBe(`${latin1}: the file is not UTF-8 text (TOML files are UTF-8)`);
    const broken = join(dir, 'broken.toml');
    writeFileSync(broken, lines(...TUNNEL_DB, 'env = { AUTOSSH_POLL = "0" }'));
    expect(loadError(broken)).toBe(`${broken}:4: tunnel "db": invalid poll time "0" (AUTOSSH_POLL)`);
  });

  it('refuses a file too big to be a configuration, before reading it', () => {
    const big = join(dir, 'big.toml');
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x0a));
    expect(loadError(big)).toBe(`${big}: the file is ${MAX_CONFIG_BYTES + 1} bytes: more than ${MAX_CONFIG_BYTES} is not a configuration`);
  });

  it('reads a file with a byte-order mark and CRLF line ends, lines still right', () => {
    const windows = join(dir, 'windows.toml');
    writeFileSync(windows, `\ufeff${[...TUNNEL_DB, 'env = { AUTOSSH_POLL = "x" }'].join('\r\n')}\r\n`);
    expect(loadError(windows)).toBe(`${windows}:4: tunnel "db": invalid poll time "x" (AUTOSSH_POLL)`);
  });
});

describe('D13 in a daemon tunnel: no -M and no AUTOSSH_PORT', () => {
  it('loads, marked for a monitor port pair picked at start; monitoring off until then', () => {
    const config = parseDaemonConfig(['[[tunnel]]', 'name = "db"', 'args = "-N host"', ''].join('\n'), 'tunnels.toml');
    const [tunnel] = config.tunnels;
    expect(tunnel!.autoMonitorPort).toBe(true);
    expect(tunnel!.config.monitor).toBeNull();
    const explicit = parseDaemonConfig(['[[tunnel]]', 'name = "db"', 'args = "-M 0 -N host"', ''].join('\n'), 'tunnels.toml');
    expect(explicit.tunnels[0]!.autoMonitorPort).toBe(false);
  });
});

describe('file content echoed in a message', () => {
  // a crafted value must not forge a log line: what the file holds is escaped as JSON escapes it
  const forged = 'Jan  1 00:00:00 host autossh-ts[1]: reloaded tunnels.toml: nothing changed';
  it.each([
    ['a tunnel name holding a line break', lines('[[tunnel]]', 'name = "db\\nhost autossh-ts[1]: ok"', 'args = "-M 0 h"'),
      'tunnels.toml:2: [[tunnel]] number 1: name "db\\nhost autossh-ts[1]: ok" may hold only letters, digits, "_", "." and "-" (it is a metrics label and a log field)'],
    ['a quoted key holding a line break', lines(`"a\\n${forged}" = 1`, ...TUNNEL_DB),
      `tunnels.toml:1: unknown key "a\\n${forged}" in the file's top level (known keys: status, log, defaults, tunnel)`],
    ['a quoted key holding a terminal escape, a quote and a backslash', lines('"a\\u001b[2J\\"\\\\" = 1', ...TUNNEL_DB),
      'tunnels.toml:1: unknown key "a\\u001b[2J\\"\\\\" in the file\'s top level (known keys: status, log, defaults, tunnel)'],
    ['a quoted key holding a carriage return, NEL and a Unicode line separator', lines('[[tunnel]]', 'name = "db"', 'args = "-M 0 h"', '"x\\r\\u0085\\u2028" = 1'),
      'tunnels.toml:4: unknown key "x\\r\\u0085\\u2028" in [[tunnel]] number 1 (known keys: name, args, env, restart, restart_sec, start_limit_burst, start_limit_interval_sec, restart_max_delay_sec)'],
    ['[log] format', lines('[log]', 'format = "text\\n"', ...TUNNEL_DB), 'tunnels.toml:2: [log] format must be "text" or "json", not "text\\n"'],
    ['[status] listen', lines('[status]', 'listen = "127.0.0.1:80\\nx"', ...TUNNEL_DB), 'tunnels.toml:2: [status] listen "127.0.0.1:80\\nx": port "80\\nx" is not a number from 1 to 65535'],
    ['an env name', lines(...TUNNEL_DB, 'env = { "PATH\\nx" = "1", "AUTOSSH_X\\ny" = "1" }'),
      'tunnels.toml:4: tunnel "db": env: "PATH\\nx" is not an AUTOSSH_* variable: env holds autossh\'s settings only (ssh options go in args)'],
    ['an unknown AUTOSSH_ name', lines(...TUNNEL_DB, 'env = { "AUTOSSH_X\\ny" = "1" }'),
      `tunnels.toml:4: tunnel "db": env: unknown variable AUTOSSH_X\\ny (known: ${TUNNEL_VARIABLES.join(', ')})`],
    ['a value the drop-in\'s parser quotes', lines(...TUNNEL_DB, `env = { AUTOSSH_POLL = "60\\n${forged}" }`),
      `tunnels.toml:4: tunnel "db": invalid poll time "60\\n${forged}" (AUTOSSH_POLL)`],
    ['an option getopt names', lines('[[tunnel]]', 'name = "db"', 'args = ["-\\n", "h"]'), 'tunnels.toml:3: tunnel "db": invalid option -- \'\\n\''],
  ])('%s: is escaped, the message stays one line', (_what, text, message) => {
    const shown = errorOf(text);
    expect(shown).toBe(message);
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it('the path too, as given', () => {
    expect(new ConfigFileError('/etc/a\nb.toml', 3, 'x\ty').message).toBe('/etc/a\\nb.toml:3: x\\ty');
  });
});

describe('a dotted key of thousands of parts', () => {
  it('is refused in well under a second (the line scan is bounded, not quadratic), at its line', () => {
    const text = `# deep\n\n[${Array.from({ length: 20_000 }, () => 'a').join('.')}]\n`;
    const t0 = performance.now();
    expect(() => parseDaemonConfig(text, 'deep.toml')).toThrow(ConfigFileError);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(() => parseDaemonConfig(text, 'deep.toml')).toThrow(/^deep\.toml:3: unknown key "a" in the file's top level/);
  });
});

describe('a dotted key deeper than the line scan records (33 parts and more)', () => {
  const deep = (parts: number): string => Array.from({ length: parts }, (_, i) => `k${i}`).join('.');
  it.each([
    ['in a tunnel, below its header', lines(...TUNNEL_DB, '', `${deep(33)} = 1`),
      'tunnels.toml:5: unknown key "k0" in [[tunnel]] number 1 (known keys: name, args, env, restart, restart_sec, start_limit_burst, start_limit_interval_sec, restart_max_delay_sec)'],
    ['of 2,000 parts in a tunnel', lines(...TUNNEL_DB, '', `${deep(2_000)} = 1`),
      'tunnels.toml:5: unknown key "k0" in [[tunnel]] number 1 (known keys: name, args, env, restart, restart_sec, start_limit_burst, start_limit_interval_sec, restart_max_delay_sec)'],
    ['in a tunnel\'s env table', lines(...TUNNEL_DB, '[tunnel.env]', 'AUTOSSH_POLL = "60"', `${deep(40)} = 1`),
      'tunnels.toml:6: tunnel "db": env: "k0" is not an AUTOSSH_* variable: env holds autossh\'s settings only (ssh options go in args)'],
    ['as a table header', lines('# a comment', '', `[${deep(33)}]`, ...TUNNEL_DB),
      'tunnels.toml:3: unknown key "k0" in the file\'s top level (known keys: status, log, defaults, tunnel)'],
  ])('is reported at its own line, not its table\'s: %s', (_what, text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('leaves the lines after it known ([log] is checked before the tunnels)', () => {
    const text = lines(...TUNNEL_DB, `${deep(40)} = 1`, '', '[log]', 'format = "xml"');
    expect(errorOf(text)).toBe('tunnels.toml:7: [log] format must be "text" or "json", not "xml"');
  });
});
