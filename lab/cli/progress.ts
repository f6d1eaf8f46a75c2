// `simulate`'s progress on stderr: a bar redrawn in place with elapsed time and ETA on a
// terminal; elsewhere (CI, a pipe, a log file) plain lines, at most one per 10 % or per 10 s,
// so a log stays short and still shows the run is alive.
import { formatDuration } from '../../sim/timeline/duration.js';

export interface Progress {
  /** fraction done, 0..1 */
  update(fraction: number): void;
  /** ends the bar's line; prints the total time */
  finish(): void;
}

const BAR_WIDTH = 40;
/** Plain lines: one at every this much more of the run, */
const LINE_EVERY_FRACTION = 0.1;
/** ...or after this long without one. */
const LINE_EVERY_MS = 10_000;
/** The bar is redrawn at most this often: a terminal does not need 100 redraws per second. */
const REDRAW_MS = 100;

export interface ProgressOptions {
  write: (text: string) => void;
  terminal: boolean;
  nowMs?: () => number;
}

/** The ETA from the pace so far; unknown until some progress shows a pace. */
export function etaMs(fraction: number, elapsedMs: number): number | null {
  if (fraction <= 0 || fraction >= 1) return fraction >= 1 ? 0 : null;
  return (elapsedMs / fraction) * (1 - fraction);
}

function round(ms: number): string {
  return formatDuration(Math.round(ms / 1000) * 1000);
}

export function describeProgress(fraction: number, elapsedMs: number): string {
  const eta = etaMs(fraction, elapsedMs);
  return `${Math.floor(fraction * 100)}% elapsed ${round(elapsedMs)}, ETA ${eta === null ? 'unknown' : round(eta)}`;
}

export function createProgress({ write, terminal, nowMs = Date.now }: ProgressOptions): Progress {
  const startedMs = nowMs();
  let lastLineFraction = 0;
  let lastLineMs = startedMs;
  let lastDrawMs = -Infinity;
  return {
    update(fraction: number) {
      const f = Math.min(1, Math.max(0, fraction));
      const now = nowMs();
      const elapsed = now - startedMs;
      if (terminal) {
        if (now - lastDrawMs < REDRAW_MS && f < 1) return;
        lastDrawMs = now;
        const filled = Math.round(f * BAR_WIDTH);
        write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${describeProgress(f, elapsed)}\x1b[K`);
        return;
      }
      if (f - lastLineFraction >= LINE_EVERY_FRACTION - 1e-9 || now - lastLineMs >= LINE_EVERY_MS) {
        lastLineFraction = f;
        lastLineMs = now;
        write(`simulate: ${describeProgress(f, elapsed)}\n`);
      }
    },
    finish() {
      const elapsed = nowMs() - startedMs;
      write(terminal ? `\r[${'#'.repeat(BAR_WIDTH)}] done in ${round(elapsed)}\x1b[K\n` : `simulate: done in ${round(elapsed)}\n`);
    },
  };
}

/** simulate's progress on this process's stderr, or none when the user said --no-progress. */
export function stderrProgress(enabled: boolean): Progress | undefined {
  return enabled ? createProgress({ write: (t) => process.stderr.write(t), terminal: process.stderr.isTTY === true }) : undefined;
}
