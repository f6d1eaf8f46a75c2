// What following AUTOSSH_LOGFILE's path costs (src/adapters/log-file.ts): a line written with
// the path's stat before it, beside the bare write the file had before. Medians of 5 rounds.
// Run: node dist/bench/log-file.js [lines=50000]
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFile } from '../src/adapters/log-file.js';

const lines = Math.max(1000, Number(process.argv[2] ?? 50_000));
const ROUNDS = 5;
const LINE = '2026/12/07 20:39:55 autossh-ts[19650]: db: ssh exited with error status 255; restarting ssh\n';
const dir = mkdtempSync(join(tmpdir(), 'bench-log-file-'));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function nsPerLine(write: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) write();
  return Number(process.hrtime.bigint() - start) / lines;
}

try {
  const bare: number[] = [];
  const following: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const fd = openSync(join(dir, `bare-${round}.log`), 'a', 0o600);
    bare.push(nsPerLine(() => writeSync(fd, LINE)));
    closeSync(fd);
    const file = LogFile.open(join(dir, `following-${round}.log`));
    if ('error' in file) throw new Error(file.error);
    following.push(nsPerLine(() => file.write(LINE)));
    file.close();
  }
  const b = median(bare) / 1000;
  const f = median(following) / 1000;
  console.log(`log line, bare write:            ${b.toFixed(1)} µs`);
  console.log(`log line, path followed (stat):  ${f.toFixed(1)} µs  (+${(f - b).toFixed(1)} µs a line)`);
  console.log(`1000 tunnels restarting at once (≈ 3 lines each): +${(((f - b) * 3000) / 1000).toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
