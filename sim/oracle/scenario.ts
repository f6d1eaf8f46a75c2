// The oracle's scenario format (test/fixtures/oracle/README.md), loaded with its placeholders
// filled in. The simulator uses fixed ports: in a virtual world nothing else can take them.
import { readTextBounded } from '../schema/read-bounded.js';
import { jsonPath, parseOrThrow } from '../schema/issues.js';
import { jsonShapeProblem } from '../schema/json-document.js';
import { scenarioSchema } from './scenario-schema.js';

export type ForwardMode = 'healthy' | 'blackhole' | 'refuse' | 'slow';

export interface SshBehaviour {
  exit?: number;
  kill?: string;
  after?: number;
  onSigterm?: string;
  forward?: ForwardMode;
  slowDelay?: number;
  breakAfter?: number;
  breakMode?: ForwardMode;
}

export type SignalTrigger =
  | { child_spawn: number }
  | { child_exit: number }
  | { probe: [number, number] };

export interface ScheduledSignal {
  signal: string;
  at?: number;
  after?: SignalTrigger;
  delay?: number;
}

export interface Scenario {
  name: string;
  description?: string;
  env: Record<string, string | null>;
  args: string[];
  ssh: SshBehaviour[];
  signals: ScheduledSignal[];
  occupyPorts: number[];
  cap: number;
}

/** AUTOPORT: the pair D13 picks when neither -M nor AUTOSSH_PORT gives one (random in the real CLI) */
export const SIM_PORTS = { MPORT: 41000, EPORT: 41002, AUTOPORT: 41004 } as const;
export const SIM_WORKDIR = '/sim/workdir';
export const SIM_FAKE_SSH = '/sim/oracle/fake-ssh';

const PLACEHOLDERS: Array<[string, string]> = [
  ['{{MPORT}}', String(SIM_PORTS.MPORT)],
  ['{{MPORT+1}}', String(SIM_PORTS.MPORT + 1)],
  ['{{EPORT}}', String(SIM_PORTS.EPORT)],
  ['{{EPORT+1}}', String(SIM_PORTS.EPORT + 1)],
  ['{{AUTOPORT}}', String(SIM_PORTS.AUTOPORT)],
  ['{{AUTOPORT+1}}', String(SIM_PORTS.AUTOPORT + 1)],
  ['{{WORKDIR}}', SIM_WORKDIR],
];

function substitute(value: unknown): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const [placeholder, actual] of PLACEHOLDERS) out = out.split(placeholder).join(actual);
    return out;
  }
  if (Array.isArray(value)) return value.map(substitute);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
  }
  return value;
}

const PLACEHOLDER_PATTERNS = PLACEHOLDERS.slice(0, 6).map(([placeholder, actual]) => [new RegExp(`\\b${actual}\\b`, 'g'), placeholder] as const);
/** ssh's argv is the same words at every start: each is rewritten once (a pure function of it) */
const placeheld = new Map<string, string>();

/** Ports and work dir written back as placeholders, as the oracle's traces show them. */
export function toPlaceholders(text: string): string {
  let out = placeheld.get(text);
  if (out === undefined) {
    out = rewriteToPlaceholders(text);
    if (placeheld.size < 10_000) placeheld.set(text, out);
  }
  return out;
}

function rewriteToPlaceholders(text: string): string {
  let out = text.split(SIM_WORKDIR).join('{{WORKDIR}}');
  for (const [pattern, placeholder] of PLACEHOLDER_PATTERNS) out = out.replace(pattern, placeholder);
  return out;
}

/** `s.json: $.signals[0].signal: expected a Linux signal name (...), got "SIGFOO"` */
export class ScenarioError extends Error {}

export function parseScenario(raw: unknown, source: string): Scenario {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ScenarioError(`${source}: $: expected a JSON object`);
  // before substitute() walks it: a file nested 100,000 deep must be refused, not overflow the stack
  const shape = jsonShapeProblem(raw);
  if (shape !== null) throw new ScenarioError(`${source}: ${jsonPath(shape.path)}: ${shape.message}`);
  const s = parseOrThrow(scenarioSchema, substitute(raw), (p) => new ScenarioError(`${source}: ${jsonPath(p.path)}: ${p.message}`));
  return {
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    env: s.env,
    args: s.args,
    // the harness's default: one ssh that runs until signalled (the last entry repeats)
    ssh: s.ssh.length > 0 ? s.ssh : [{}],
    signals: s.signals,
    occupyPorts: s.occupyPorts,
    cap: s.cap,
  };
}

/** a scenario's lists hold at most 10,000 entries each */
const MAX_SCENARIO_BYTES = 16 << 20;

export function loadScenario(path: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readTextBounded(path, MAX_SCENARIO_BYTES));
  } catch (error) {
    throw new ScenarioError(`${path}: ${(error as Error).message}`);
  }
  return parseScenario(raw, path);
}
