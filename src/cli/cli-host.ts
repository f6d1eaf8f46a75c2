// The real host as the drop-in runs it: a run that cannot start says why on stderr (also when
// the log is syslog or a file nobody reads) and, in a -f daemon, to the launcher waiting for it.
import { RealHost } from '../adapters/real-host.js';
import type { Logger } from '../adapters/logger.js';
import type { Tell } from '../driver/host.js';
import type { Config } from '../machine/config/types.js';
import { isTransientSpawnFailure } from '../machine/decisions/spawn-failure.js';
import type { StartReport } from './detach.js';

export class CliHost extends RealHost {
  constructor(
    config: Config,
    logger: Logger,
    progName: string,
    tell: Tell,
    onExit: (code: number) => void,
    private readonly report: StartReport | null,
  ) {
    super(config, logger, progName, (event) => {
      // a start that failed for now is retried (the machine logs it): not the end of the run
      if (event.type === 'SSH_SPAWN_FAILED' && !isTransientSpawnFailure(event.errno)) {
        // D7: the path and the reason; the machine logs it and ends the run with 1
        const message = `${config.sshPath}: ${event.error}`;
        process.stderr.write(`${progName}: ${message}\n`);
        report?.failed(message);
      }
      tell(event);
    }, onExit);
  }

  override startFailed(message: string): void {
    super.startFailed(message);
    this.report?.failed(message);
  }

  override spawnSsh(n: number, argv: string[]): void {
    super.spawnSsh(n, argv);
    // An ssh that cannot be executed is told in a microtask queued by the spawn: this one runs
    // after it, so the launcher hears "failed" for that and "started" only for a running ssh.
    // A spawn that failed for now (no pid) says nothing: the retry that works says "started".
    const report = this.report;
    if (report && this.sshPid !== undefined) queueMicrotask(() => report.started());
  }
}
