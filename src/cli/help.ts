// The texts autossh-ts prints: 1.4g's usage, extended with what autossh-ts adds. The AUTOSSH_*
// variables are one table (ENVIRONMENT_VARIABLES): --help prints it, and a test holds the man
// page and the variables src/machine/config/env.ts reads to the same names.
export const VERSION = '0.1.0';

export function versionText(progName: string): string {
  return `${progName} 1.4g (autossh-ts ${VERSION})`;
}

/** Which part of the help a variable is listed in. */
export type VariableGroup = '1.4g' | 'autossh-ts' | 'liveness';

export interface EnvironmentVariable {
  name: string;
  group: VariableGroup;
  /** its help text, already wrapped to the help's column */
  lines: readonly string[];
}

/** Every AUTOSSH_* variable autossh-ts reads, in the order --help lists them. */
export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  { name: 'AUTOSSH_GATETIME', group: '1.4g', lines: [
    'how long must an ssh session be established',
    'before we decide it really was established',
    '(in seconds). Default is 30 seconds; use of -f',
    'flag sets this to 0.',
  ] },
  { name: 'AUTOSSH_LOGFILE', group: '1.4g', lines: ['file to log to (default is to use the syslog', 'facility)'] },
  { name: 'AUTOSSH_LOGLEVEL', group: '1.4g', lines: ['level of log verbosity'] },
  { name: 'AUTOSSH_MAXLIFETIME', group: '1.4g', lines: ['set the maximum time to live (seconds)'] },
  { name: 'AUTOSSH_MAXSTART', group: '1.4g', lines: ['max times to restart (default is no limit)'] },
  { name: 'AUTOSSH_MESSAGE', group: '1.4g', lines: ['message to append to echo string (max 64 bytes)'] },
  { name: 'AUTOSSH_PATH', group: '1.4g', lines: ['path to ssh if not default'] },
  { name: 'AUTOSSH_PIDFILE', group: '1.4g', lines: ['write pid to this file'] },
  { name: 'AUTOSSH_POLL', group: '1.4g', lines: ['how often to check the connection (seconds)'] },
  { name: 'AUTOSSH_FIRST_POLL', group: '1.4g', lines: ['time before first connection check (seconds)'] },
  { name: 'AUTOSSH_PORT', group: '1.4g', lines: ['port to use for monitor connection'] },
  { name: 'AUTOSSH_DEBUG', group: '1.4g', lines: ['turn logging to maximum verbosity and log to', 'stderr'] },
  { name: 'AUTOSSH_KILLTIME', group: 'autossh-ts', lines: [
    '(autossh-ts) seconds to wait after SIGTERM before',
    'SIGKILLing ssh. Default 5; 0 waits forever, as 1.4g.',
  ] },
  { name: 'AUTOSSH_LOGFORMAT', group: 'autossh-ts', lines: [
    '(autossh-ts) text (1.4g\'s lines, default) or json:',
    'one object a line (time, level, message, and the',
    'rule of the decision the line came with).',
  ] },
  { name: 'AUTOSSH_LIVENESS', group: 'liveness', lines: [
    '1 turns D9, D10 and D11 on, with CONNECTTIME 60;',
    'each rule\'s own variable below overrides it.',
  ] },
  { name: 'AUTOSSH_CONNECTTIME', group: 'liveness', lines: [
    'D9: seconds an ssh may take to establish its',
    'session before it is restarted; 0 = off (default).',
    'Needs evidence: a -L/-D/-M port ssh listens on, or',
    'without one, LogLevel VERBOSE (or -v) for its',
    '"Authenticated to HOST ([ADDR]:PORT)" line, for',
    'the host and port ssh -G names.',
  ] },
  { name: 'AUTOSSH_FORWARDCHECK', group: 'liveness', lines: [
    'D10: 1 = "remote port forwarding failed" on',
    'ssh\'s stderr, for one of its own -R ports,',
    'restarts ssh on a short schedule (2, 4, 8, then',
    'every 10 s). Default 0.',
  ] },
  { name: 'AUTOSSH_NETWATCH', group: 'liveness', lines: [
    'D11: 1 = a link, global address or default route',
    'coming back ends a backoff wait. Default 0.',
  ] },
  { name: 'AUTOSSH_JITTER', group: 'liveness', lines: [
    'D12: each restart waits up to this many seconds',
    'more, different per process. Default 0.',
  ] },
];

function variableLines(group: VariableGroup): string {
  return ENVIRONMENT_VARIABLES.filter((v) => v.group === group)
    .map((v) => v.lines.map((line, i) => (i === 0 ? `    ${v.name.padEnd(19)} - ${line}` : `${' '.repeat(26)}${line}`)).join('\n'))
    .join('\n');
}

/** What `--help` prints (to stdout, exit 0: D14) and a usage error prints (to stderr, exit 1). */
export function usageText(progName: string): string {
  return `usage: ${progName} [-V] [-M monitor_port[:echo_port]] [-f] [SSH_OPTIONS]

    -M specifies monitor port. Overrides the environment
       variable AUTOSSH_PORT. 0 turns monitoring loop off.
       Alternatively, a port for an echo service on the remote
       machine may be specified. (Normally port 7.)
       (autossh-ts) Without -M or AUTOSSH_PORT a free pair is
       picked, as Debian's autossh wrapper does (D13).
    -f run in background (autossh handles this, and does not
       pass it to ssh.)
    -V print autossh version and exit.

       ${progName} --help
    prints this text and exits 0 (D14).

       ${progName} --config FILE
    runs every tunnel of FILE (TOML: [[tunnel]] name, args, env, restart...)
    in one process; a tunnel whose run ended starts again after restart_sec
    (restart = "always" by default, with a start limit and a growing wait);
    SIGHUP reloads it, leaving unchanged tunnels alone. See README
    and autossh-ts.toml(5).

       ${progName} --check-config FILE
    reads and checks FILE as --config would, starts nothing: prints
    "FILE: ok, N tunnel(s)" and exits 0, or the problem on stderr, exit 1.

Environment variables are:
${variableLines('1.4g')}
${variableLines('autossh-ts')}

Liveness settings (autossh-ts; all off unless asked, as 1.4g):
${variableLines('liveness')}
    Switches take 1/yes or 0/no; times are whole seconds up to 86400.

Where log lines go (without AUTOSSH_LOGFILE, and in daemon mode):
    to the journal when stderr is the journal (systemd's JOURNAL_STREAM),
    as stderr lines with sd-daemon's <N> priority prefix; else to syslog
    through /dev/log; else to stderr, said once. AUTOSSH_DEBUG also copies
    every line to stderr, as in 1.4g.

Where autossh-ts differs from autossh 1.4g (on purpose):
    D1 SIGHUP or SIGUSR1 while waiting out the backoff starts ssh now
       (1.4g dies of them); SIGUSR2 is ignored.
    D2 SIGHUP while ssh runs with monitoring runs a connection test now.
    D3 Signals and ssh exits do not disturb a connection test in flight;
       an ssh exit is classified by the normal rules.
    D4 ssh that ignores SIGTERM is SIGKILLed after AUTOSSH_KILLTIME; a
       second SIGTERM/SIGINT while waiting sends SIGKILL at once.
    D5 Reaching AUTOSSH_MAXLIFETIME during a backoff wait exits 0.
    D6 SIGQUIT and SIGABRT stop ssh and exit 1, like SIGTERM.
    D7 ssh that cannot be executed: an error naming the path, exit 1. A
       start that fails for want of descriptors, processes or memory
       (EMFILE, ENFILE, EAGAIN, ENOMEM) is retried after 1, 2, 4... s,
       at most POLL, and said in the log.
    D8 Invalid AUTOSSH_* values: exit 1 with the message on stderr and
       in the log.
    D9 An ssh whose session is not up AUTOSSH_CONNECTTIME s after its start
       (a hung connect, key exchange or authentication) is restarted; 1.4g
       waits for it forever with -M 0, until a failed test with -M.
    D10 With AUTOSSH_FORWARDCHECK, a remote forward refused by the server
       (a stale listener) restarts ssh within seconds, also without
       ExitOnForwardFailure; 1.4g keeps ssh without the forward, or backs
       off ever longer.
    D11 With AUTOSSH_NETWATCH, the network coming back ends a backoff wait
       (1.4g sleeps it out).
    D12 With AUTOSSH_JITTER, each process spreads its restarts differently
       (1.4g's waits are the same for every process).
    D13 Neither -M nor AUTOSSH_PORT: a free monitor port pair p, p+1
       (p in 32768-65534, both bound to check) is picked and exported
       as AUTOSSH_PORT, as Debian's /usr/bin/autossh does; the raw 1.4g
       prints usage.
    D14 --help prints this text to stdout and exits 0; 1.4g calls it an
       invalid option and exits 1.
    With -f, the launcher waits up to 5 s for the daemon to start ssh; a
       daemon that cannot start has its reason printed, and exit 1.

See autossh-ts(1), autossh-ts.toml(5).
`;
}
