// Long simulations (a year of replay, a long scenario) run in slices, and between two slices the
// event loop gets a turn: SIGINT or SIGTERM then stops the run where it is, whatever it was
// writing is removed (the command's own finally), and the command exits 130 saying so.
// Without the turns a signal would either wait for the whole run or kill the process mid-write.

/** The run was stopped by SIGINT or SIGTERM; the command exits 130. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** 128 + SIGINT, as a shell reports an interrupted command */
export const EXIT_INTERRUPTED = 130;

/** Runs `steps` to its end, a slice at a time; throws InterruptedError once `signal` fires. */
export async function runSliced<R>(steps: Generator<unknown, R, void>, signal: AbortSignal): Promise<R> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal.aborted) {
      steps.return(undefined as never);
      throw new InterruptedError('interrupted');
    }
  }
}

/**
 * `work` with SIGINT and SIGTERM turned into its signal's abort for as long as it runs. An
 * interrupted run says so on stderr and sets exit status 130; other errors pass through.
 */
export async function interruptible(command: string, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await work(controller.signal);
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
    process.stderr.write(`autossh-lab ${command}: interrupted; no output file was left behind\n`);
    process.exitCode = EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
