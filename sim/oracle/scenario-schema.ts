// An oracle scenario as written (test/fixtures/oracle/README.md), checked field by field after its
// placeholders are filled in. Strict everywhere: a typo (`onSigTerm`) or a field the harness does
// not read is an unknown field, so a scenario never silently means less than it says. Every
// list is bounded: a scenario is a few dozen events, not a soak.
import { z } from 'zod';
import { expectedMessage, expecting } from '../schema/issues.js';
import { canonicalSignalName, nodeDefaultDisposition, SIGNAL_NAMES } from './signal-disposition.js';

/** a century of virtual time: the longest run the simulator streams */
export const MAX_CAP_SECONDS = 100 * 365.25 * 86_400;
const MAX_LIST = 10_000;

function secondsFrom(min: number, exclusive = false) {
  const error = expecting(`a number of seconds ${exclusive ? '>' : '>='} ${min}`);
  const n = z.number({ error }).max(MAX_CAP_SECONDS, { error: expecting(`a number of seconds <= ${MAX_CAP_SECONDS}`) });
  return exclusive ? n.gt(min, { error }) : n.min(min, { error });
}

function wholeNumber(min: number, max: number) {
  const error = expecting(`a whole number from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** "SIGHUP" (or "HUP", as the harness allows), written back as "SIGHUP" */
const signalName = z.string({ error: expecting('a signal name like "SIGHUP"') }).transform((text, ctx): string => {
  const name = canonicalSignalName(text);
  if (name === null) {
    ctx.addIssue({ code: 'custom', input: text, message: expectedMessage(`a Linux signal name (${SIGNAL_NAMES.join(', ')})`, text) });
    return z.NEVER;
  }
  return name;
});

/** what the fake ssh (a Node process) may kill itself with: only a signal that kills it does */
const killSignal = z.string({ error: expecting('a signal name like "SIGKILL"') }).refine(
  (name) => name in Object.fromEntries(SIGNAL_NAMES.map((n) => [n, true])) && nodeDefaultDisposition(name) === 'fatal',
  { error: (issue) => expectedMessage('a signal that kills the fake ssh (a Node process), like "SIGKILL" or "SIGSEGV"', issue.input) },
);

const FORWARD_MODES = ['healthy', 'blackhole', 'refuse', 'slow'] as const;
const forwardMode = z.enum(FORWARD_MODES);

const onSigterm = z.string({ error: expecting('"exit255", "die", "ignore" or "exit:N"') }).refine(
  (text) => text === 'exit255' || text === 'die' || text === 'ignore' || /^exit:(\d{1,3})$/.test(text) && Number(text.slice(5)) <= 255,
  { error: (issue) => expectedMessage('"exit255", "die", "ignore" or "exit:N" with N from 0 to 255', issue.input) },
);

const sshBehaviour = z.strictObject({
  exit: wholeNumber(0, 255).optional(),
  kill: killSignal.optional(),
  after: secondsFrom(0).optional(),
  onSigterm: onSigterm.optional(),
  forward: forwardMode.optional(),
  slowDelay: secondsFrom(0).optional(),
  breakAfter: secondsFrom(0).optional(),
  breakMode: forwardMode.optional(),
}).superRefine((b, ctx) => {
  if (b.exit !== undefined && b.kill !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['kill'], message: 'give "exit" or "kill", not both (the fake would only exit)' });
  }
});

const trigger = z.union([
  z.strictObject({ child_spawn: wholeNumber(1, 1_000_000) }),
  z.strictObject({ child_exit: wholeNumber(1, 1_000_000) }),
  z.strictObject({ probe: z.tuple([wholeNumber(1, 1_000_000), wholeNumber(1, 1_000_000)]) }),
], { error: (issue) => expectedMessage('one of {"child_spawn": n}, {"child_exit": n}, {"probe": [n, i]}', issue.input) });

const scheduledSignal = z.strictObject({
  signal: signalName,
  at: secondsFrom(0).optional(),
  after: trigger.optional(),
  delay: secondsFrom(0).optional(),
}).superRefine((s, ctx) => {
  if ((s.at === undefined) === (s.after === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['at'], message: 'give either "at" (seconds from launch) or "after" (a trigger), exactly one' });
  } else if (s.at !== undefined && s.delay !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['delay'], message: '"delay" goes with "after"; with "at" it would be ignored' });
  }
});

/** a port, as a number or as the text a placeholder left ("{{MPORT+1}}" -> "41001") */
const port = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)], { error: expecting('a TCP port number') })
  .pipe(wholeNumber(1, 65535));

export const scenarioSchema = z.strictObject({
  name: z.string({ error: expecting('a non-empty string') }).min(1, { error: expecting('a non-empty string') }),
  description: z.string().optional(),
  env: z.record(z.string(), z.string().nullable()).superRefine((env, ctx) => {
    const bad = Object.keys(env).find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', path: [bad], input: bad, message: expectedMessage('an environment variable name', bad) });
  }).default(() => ({})),
  args: z.array(z.string()).max(1_000),
  ssh: z.array(sshBehaviour).max(MAX_LIST).default(() => []),
  signals: z.array(scheduledSignal).max(MAX_LIST).default(() => []),
  occupyPorts: z.array(port).max(100).default(() => []),
  cap: secondsFrom(0, true).default(60),
});
