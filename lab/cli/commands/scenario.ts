import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { loadScenario } from '../../../sim/oracle/scenario.js';
import { streamScenario } from '../../../sim/oracle/run-scenario.js';

/** Pieces gathered up to about a megabyte, then written at once: a year's trace streams out. */
function bufferedWriter(fd: number): { write: (chunk: string) => void; flush: () => void } {
  let pieces: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (size === 0) return;
    const bytes = Buffer.from(pieces.join(''));
    pieces = [];
    size = 0;
    for (let off = 0; off < bytes.length;) {
      try {
        off += writeSync(fd, bytes, off);
      } catch (error) {
        // stdout may be a non-blocking pipe: wait for the reader
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    }
  };
  return {
    write: (chunk) => {
      pieces.push(chunk);
      size += chunk.length;
      if (size >= 1 << 20) flush();
    },
    flush,
  };
}

export function registerScenario(program: Command): void {
  program
    .command('scenario')
    .description('run an oracle scenario (NAME.scenario.json) in the simulator; write its trace')
    .argument('<file>', 'an oracle scenario file')
    .option('-o, --output <file>', 'write the trace here instead of stdout')
    .action((file: string, options: { output?: string }) => {
      const scenario = loadScenario(file);
      const fd = options.output ? openSync(options.output, 'w') : 1;
      try {
        const out = bufferedWriter(fd);
        streamScenario(scenario, out.write);
        out.flush();
      } finally {
        if (options.output) closeSync(fd);
      }
    });
}
