// A trace written as a file the way the goldens are laid out.
import type { Trace } from '../../sim/oracle/trace.js';

/** The trace as a file: the head, then one event a line (as the goldens are laid out). */
export function traceText(trace: Trace): string {
  const { events, stdout, stderr, log, ...head } = trace;
  const lines = Object.entries(head).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  return `{\n${lines.join('\n')}\n "events": [\n${events.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n ],\n`
    + ` "stdout": ${JSON.stringify(stdout)},\n "stderr": ${JSON.stringify(stderr)},\n`
    + ` "log": [\n${log.map((l) => `  ${JSON.stringify(l)}`).join(',\n')}\n ]\n}\n`;
}
