// The texts autossh-ts prints: 1.4g's usage, extended with what autossh-ts adds.
export const VERSION = '0.1.0';

export function versionText(progName: string): string {
  return `${progName} 1.4g (autossh-ts ${VERSION})`;
}

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

       ${progName} --config FILE
    runs every tunnel of FILE (TOML: [[tunnel]] name, args, env, restart...)
    in one process; a tunnel whose run ended starts again after restart_sec
    (restart = "always" by default, with a start limit and a growing wait);
    SIGHUP reloads it, leaving unchanged tunnels alone. See README.

Environment variables are:
    AUTOSSH_GATETIME    - how long must an ssh session be established
                          before we decide it really was established
                          (in seconds). Default is 30 seconds; use of -f
                          flag sets this to 0.
    AUTOSSH_LOGFILE     - file to log to (default is to use the syslog
                          facility)
    AUTOSSH_LOGLEVEL    - level of log verbosity
    AUTOSSH_MAXLIFETIME - set the maximum time to live (seconds)
    AUTOSSH_MAXSTART    - max times to restart (default is no limit)
    AUTOSSH_MESSAGE     - message to append to echo string (max 64 bytes)
    AUTOSSH_PATH        - path to ssh if not default
    AUTOSSH_PIDFILE     - write pid to this file
    AUTOSSH_POLL        - how often to check the connection (seconds)
    AUTOSSH_FIRST_POLL  - time before first connection check (seconds)
    AUTOSSH_PORT        - port to use for monitor connection
    AUTOSSH_DEBUG       - turn logging to maximum verbosity and log to
                          stderr
    AUTOSSH_KILLTIME    - (autossh-ts) seconds to wait after SIGTERM before
                          SIGKILLing ssh. Default 5; 0 waits forever, as 1.4g.
    AUTOSSH_LOGFORMAT   - (autossh-ts) text (1.4g's lines, default) or json:
                          one object a line (time, level, message, and the
                          rule of the decision the line came with).

Liveness settings (autossh-ts; all off unless asked, as 1.4g):
    AUTOSSH_LIVENESS    - 1 turns D9, D10 and D11 on, with CONNECTTIME 60;
                          each rule's own variable below overrides it.
    AUTOSSH_CONNECTTIME - D9: seconds an ssh may take to establish its
                          session before it is restarted; 0 = off (default).
                          Needs evidence: a -L/-D/-M port ssh listens on, or
                          LogLevel VERBOSE (or -v) for its "Authenticated to".
    AUTOSSH_FORWARDCHECK - D10: 1 = "remote port forwarding failed" on
                          ssh's stderr restarts ssh on a short schedule
                          (2, 4, 8, then every 10 s). Default 0.
    AUTOSSH_NETWATCH    - D11: 1 = a link, global address or default route
                          coming back ends a backoff wait. Default 0.
    AUTOSSH_JITTER      - D12: each restart waits up to this many seconds
                          more, different per process. Default 0.
    Switches take 1/yes or 0/no; times are whole seconds up to 86400.

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
    D7 ssh that cannot be executed: an error naming the path, exit 1.
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
    With -f, the launcher waits up to 5 s for the daemon to start ssh; a
       daemon that cannot start has its reason printed, and exit 1.
`;
}
