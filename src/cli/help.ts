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
    -f run in background (autossh handles this, and does not
       pass it to ssh.)
    -V print autossh version and exit.

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
`;
}
