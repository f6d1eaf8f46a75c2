// AUTOSSH_GATETIME read out of how autossh judged the first ssh's exit: the gate judges no other.
import { DEFAULT_GATE_SECONDS } from '../../src/machine/config/env.js';
import type { Infer } from './infer-config.js';
import type { InferredFact } from './infer.js';
import type { LogLine } from './log-lines.js';

export function inferGate(lines: readonly LogLine[], facts: readonly InferredFact[], infer: Infer, unknowns: string[]): void {
  const firstExit = facts.find((f) => f.ssh === 1 && f.kind === 'sshCrash');
  const line = firstExit && lines.find((l) => l.lineNo === firstExit.lineNo);
  if (!firstExit || firstExit.kind !== 'sshCrash' || firstExit.signal !== undefined || !line) {
    unknowns.push(`AUTOSSH_GATETIME: the first ssh did not end with a status in the log; ${DEFAULT_GATE_SECONDS} s (the default) assumed`);
    return;
  }
  const lifeS = Math.round(firstExit.afterMs / 1000);
  const status = firstExit.exit ?? 255;
  if (line.message.includes('prematurely')) {
    if (lifeS < DEFAULT_GATE_SECONDS) infer('AUTOSSH_GATETIME', null, `longer than the first ssh's ${lifeS} s: the default ${DEFAULT_GATE_SECONDS} fits`, line);
    else infer('AUTOSSH_GATETIME', String(lifeS + 1), `longer than the first ssh's ${lifeS} s`, line);
    return;
  }
  if ((status === 1 || status === 2) && line.message.includes('restarting')) {
    infer('AUTOSSH_GATETIME', '0', `a first ssh's status ${status} is restarted only with no gate`, line);
    return;
  }
  if (status === 1 || status === 2 || (status !== 0 && status !== 255)) {
    // given up, but not "prematurely": the gate was on and shorter than the run
    if (lifeS > DEFAULT_GATE_SECONDS + 1) infer('AUTOSSH_GATETIME', null, `shorter than the first ssh's ${lifeS} s: the default fits`, line);
    else {
      infer('AUTOSSH_GATETIME', String(Math.max(1, lifeS - 1)), `on, and shorter than the first ssh's ${lifeS} s`, line);
      unknowns.push(`AUTOSSH_GATETIME: between 1 and ${lifeS} s; ${Math.max(1, lifeS - 1)} used`);
    }
    return;
  }
  // 255 restarted, or 0: judged past the gate
  if (lifeS > DEFAULT_GATE_SECONDS + 1) {
    infer('AUTOSSH_GATETIME', null, `shorter than the first ssh's ${lifeS} s: the default ${DEFAULT_GATE_SECONDS} fits`, line);
  } else {
    infer('AUTOSSH_GATETIME', '0', `the first ssh ended after ${lifeS} s and was not judged premature: the gate was 0 or shorter than that run (0 used)`, line);
  }
}
