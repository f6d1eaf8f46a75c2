// `autossh-ts --check-config FILE`: the file through the daemon's own load (every check a start
// makes of it, with the same words), and nothing started: `FILE: ok, N tunnel(s)` and 0, or the
// problem and 1. Like `sshd -t`, for a unit's ExecStartPre= and ExecReload= before the SIGHUP.
import { NoFreeMonitorPortError } from '../adapters/monitor-port.js';
import { configPathOf, loadConfigFile, usage } from './config-file.js';
import { ConfigFileError } from './config/types.js';

export async function checkConfig(prog: string, args: readonly string[]): Promise<void> {
  const target = configPathOf(args, '--check-config');
  if ('complaint' in target) {
    process.stderr.write(`${prog}: ${target.complaint}\n${usage('--check-config')}\n`);
    process.exit(1);
  }
  try {
    const config = await loadConfigFile(target.path);
    process.stdout.write(`${target.path}: ok, ${config.tunnels.length} tunnel(s)\n`);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof ConfigFileError || error instanceof NoFreeMonitorPortError)) throw error;
    process.stderr.write(`${prog}: ${error.message}\n`);
    process.exit(1);
  }
}
