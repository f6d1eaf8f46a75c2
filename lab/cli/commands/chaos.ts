import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadSchedule } from '../../chaos/schedule/parse.js';
import { builtinScheduleNames } from '../../chaos/schedule/builtin.js';
import { MAX_SCHEDULE_MS } from '../../chaos/schedule/schema.js';
import { runChaos } from '../../chaos/run.js';
import { ChaosAbortedError } from '../../chaos/run-clock.js';
import { DEFAULT_SUPERVISOR_ARGS, type SupervisorSpec } from '../../chaos/supervisor-command.js';
import { chaosJson, formatSummary, formatVerdict, underTestRecovered } from '../../chaos/format.js';
import { chaosReportHtml } from '../../chaos/report.js';
import { killOwnedTreesNow } from '../../world/owned-processes.js';
import { collect, splitCommandLine } from '../options.js';

const AUTOSSH_TS = fileURLToPath(new URL('../../../src/cli/autossh.js', import.meta.url));

interface ChaosCliOptions {
  schedule: string;
  compare: string[];
  supervisor?: string;
  target?: string;
  echo?: string;
  json?: string;
  report?: string;
  recoveryTimeout?: string;
}

export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description('chaos-test a real tunnel: sshd behind Toxiproxy or in a network namespace, a forward to an echo service; faults on a schedule; detection, recovery and who ended ssh measured')
    .argument('[supervisor-args...]', `after --: autossh arguments for every supervisor (default: ${DEFAULT_SUPERVISOR_ARGS.join(' ')})`)
    .option('--schedule <name|file>', `a built-in schedule (${builtinScheduleNames().join(', ')}) or a JSON file (docs/chaos.md)`, 'blackhole')
    .option('--compare <cmd>', 'also run this supervisor (e.g. /usr/lib/autossh/autossh; quoted words after it come first on its command line), same faults at the same moments (repeatable)', collect, [])
    .option('--supervisor <cmd>', 'the supervisor under test (default: autossh-ts, node dist/src/cli/autossh.js)')
    .option('--target <user@host:port>', 'an existing ssh server instead of the lab\'s own sshd')
    .option('--echo <host:port>', 'the forward\'s far end as the server sees it (default: the lab\'s echo service on 127.0.0.1)')
    .option('--json <file>', 'write every measurement as JSON')
    .option('--report <file.html>', 'write a self-contained HTML timeline per supervisor')
    .option('--recovery-timeout <seconds>', 'after the last fault, wait this long at most for recovery (default: the schedule\'s, else 30)')
    .addHelpText(
      'after',
      '\nToxiproxy: the server at $TOXIPROXY_URL when set, else an embedded one. Schedules with flow-freeze or link-down\nsteps (stuck-handshake, stale-listener, link-flap) run sshd in a network namespace instead: root, ip and nft needed.\nExit status: 0 when the supervisor under test recovered from every fault (whatever the --compare ones did), 1 when it did not,\n2 bad input or setup error, 130 interrupted.',
    )
    .action(async (supervisorArgs: string[], options: ChaosCliOptions) => {
      const schedule = loadSchedule(options.schedule);
      const recoveryS = options.recoveryTimeout === undefined ? undefined : Number(options.recoveryTimeout);
      if (recoveryS !== undefined && !(recoveryS > 0 && recoveryS * 1000 <= MAX_SCHEDULE_MS)) {
        throw new Error(`--recovery-timeout "${options.recoveryTimeout}": expected seconds, more than 0 and at most ${MAX_SCHEDULE_MS / 1000} (a day)`);
      }
      const supervisors = supervisorSpecs(options);

      const controller = new AbortController();
      let interrupts = 0;
      const onSignal = (): void => {
        interrupts++;
        if (interrupts === 1) {
          process.stderr.write('\nautossh-lab chaos: interrupted, stopping everything (again to kill at once)\n');
          controller.abort();
        } else {
          killOwnedTreesNow();
          process.exit(130);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      const tty = process.stderr.isTTY === true;
      let statusShown = false;
      let statusCount = 0;
      const clearStatus = (): void => {
        if (statusShown) process.stderr.write('\r\x1b[K');
        statusShown = false;
      };
      try {
        const result = await runChaos({
          schedule,
          supervisors,
          supervisorArgs: supervisorArgs.length > 0 ? supervisorArgs : undefined,
          target: options.target,
          echoAddress: options.echo,
          toxiproxyUrl: process.env.TOXIPROXY_URL || undefined,
          recoveryTimeoutMs: recoveryS === undefined ? undefined : recoveryS * 1000,
          signal: controller.signal,
          onEvent: (line) => {
            clearStatus();
            process.stderr.write(`chaos: ${line}\n`);
          },
          onStatus: (line) => {
            if (tty) {
              process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
              statusShown = true;
            } else if (statusCount++ % 4 === 0) {
              process.stderr.write(`chaos: ${line}\n`);
            }
          },
        });
        clearStatus();
        process.stdout.write(`\n${formatSummary(result)}\n${formatVerdict(result)}`);
        if (options.json) writeFileSync(options.json, chaosJson(result));
        if (options.report) writeFileSync(options.report, chaosReportHtml(result));
        if (!underTestRecovered(result)) process.exitCode = 1;
      } catch (error) {
        clearStatus();
        if (error instanceof ChaosAbortedError) {
          process.stderr.write('autossh-lab chaos: interrupted; everything it started is stopped\n');
          process.exitCode = 130;
          return;
        }
        throw error;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

/**
 * The supervisor under test (--supervisor, default autossh-ts) and every --compare, each command
 * split as a shell would (`node "/path with space/x.js"` is two words). Labels are the commands
 * as given, primed until unique, since they name the rows of every table.
 */
export function supervisorSpecs(options: Pick<ChaosCliOptions, 'supervisor' | 'compare'>): SupervisorSpec[] {
  const supervisors: SupervisorSpec[] = [
    options.supervisor
      ? { label: options.supervisor, cmd: splitCommandLine(options.supervisor, '--supervisor') }
      : { label: 'autossh-ts', cmd: [process.execPath, AUTOSSH_TS] },
    ...options.compare.map((c) => ({ label: c, cmd: splitCommandLine(c, '--compare') })),
  ];
  const labels = new Set<string>();
  for (const s of supervisors) {
    while (labels.has(s.label)) s.label += "'";
    labels.add(s.label);
  }
  return supervisors;
}
