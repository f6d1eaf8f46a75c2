// Linux signal numbers: 1.4g's log lines print them as numbers ("received signal to exit (15)").
export const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPWR: 30, SIGSYS: 31,
};

export function signalNumber(name: string): number {
  return SIGNAL_NUMBERS[name] ?? 0;
}

/** The signals a supervisor reacts to; anything else keeps its default action. */
export type SupervisorSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGABRT' | 'SIGHUP' | 'SIGUSR1' | 'SIGUSR2';
export const SUPERVISOR_SIGNALS: readonly SupervisorSignal[] = [
  'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2',
];
