// A test-only drop-in, never shipped: the drop-in's own run (src/cli/run.ts: its log, -f, the
// real Supervisor and CliHost), with one thing wrong on purpose. Its invariants allow a connection
// test 1 ms, less than the net timeout the machine gives every test (half of POLL, at most 15 s),
// so the machine's first connection test breaks "a connection test within the net timeout"
// while ssh runs: what a real breach does in the drop-in, seen from outside. The real machine
// breaks no invariant on any input, and the product reads no variable to make it.
// test/e2e/invariant-breach.test.ts bundles it with esbuild, as the shipped bin is bundled; -f
// starts this same bundle again as the daemon.
import type { Live } from '../../src/cli/autossh.js';
import { run } from '../../src/cli/run.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { signalEvent } from '../../src/machine/events.js';
import { SUPERVISOR_SIGNALS } from '../../src/machine/signals.js';

const live: Live = { supervisor: null, host: null, daemon: null };
for (const signal of SUPERVISOR_SIGNALS) {
  process.on(signal, () => {
    const { supervisor } = live;
    if (supervisor === null) process.exit(1);
    else if (!supervisor.done) supervisor.tell({ type: signalEvent(signal) });
  });
}

const args = process.argv.slice(2);
const outcome = parseCommandLine(args, process.env, process.pid);
if (outcome.kind !== 'run') {
  process.stderr.write(`breach-entry: this command line does not run a tunnel: ${JSON.stringify(outcome)}\n`);
  process.exit(2);
}
await run('autossh-ts', outcome.config, outcome.notices, args, live, { invariantConfig: { ...outcome.config, netTimeoutMs: 1 } });
