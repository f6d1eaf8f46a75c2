#!/usr/bin/env node
// autossh-lab: the toolkit around the machine (simulation, replay, chaos). This entry loads the
// command line (main.ts) by import(), so a failure while loading the lab's modules is caught:
// Node opens them many at a time, and under a low `ulimit -n` it runs out of descriptors
// (EMFILE) before any of our code runs. That is said in one line, not as a stack trace.
import { fdExhaustionMessage, isFdExhaustion, softFdLimit } from './fd-limit.js';

// read now: once the loader has taken every descriptor, /proc/self/limits cannot be opened
const fdLimit = softFdLimit();
try {
  await import('./main.js');
} catch (error) {
  if (!isFdExhaustion(error)) throw error;
  process.stderr.write(`autossh-lab: ${fdExhaustionMessage(error, 'while loading its modules', fdLimit)}\n`);
  process.exitCode = 1;
}
