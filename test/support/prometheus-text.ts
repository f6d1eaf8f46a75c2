// A strict reader of Prometheus's text exposition format 0.0.4, to hold /metrics to it
// (prom-client writes the format but has no reader). Strict where a loose reader would let a
// broken exposition pass: every line ends in \n; HELP and TYPE come once per family and before
// its samples; a family's lines are contiguous; label values use only the three escapes \\ \" \n;
// no label appears twice in a sample, no series twice in a family; values are Go floats.
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string | null;
  type: MetricType;
  samples: Sample[];
}

export class ExpositionError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

export function parseExposition(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionError(text.split('\n').length, 'the last line does not end in \\n');
  const families = new Map<string, Family>();
  const seriesSeen = new Set<string>();
  const closed = new Set<string>();
  const typed = new Set<string>();
  let current: Family | null = null;
  const lines = text.split('\n').slice(0, -1);

  const enter = (name: string, n: number): Family => {
    if (current?.name === name) return current;
    if (closed.has(name) || families.has(name)) throw new ExpositionError(n, `${name}: its lines are not contiguous`);
    if (current) closed.add(current.name);
    current = { name, help: null, type: 'untyped', samples: [] };
    families.set(name, current);
    return current;
  };

  lines.forEach((line, index) => {
    const n = index + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a comment
      const [, keyword, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (!METRIC_NAME.test(name)) throw new ExpositionError(n, `bad metric name "${name}"`);
      const family = enter(name, n);
      if (family.samples.length > 0) throw new ExpositionError(n, `${name}: ${keyword} after its samples`);
      if (keyword === 'HELP') {
        if (family.help !== null) throw new ExpositionError(n, `${name}: a second HELP`);
        family.help = unescape(rest, false, n);
      } else {
        if (typed.has(name)) throw new ExpositionError(n, `${name}: a second TYPE`);
        typed.add(name);
        if (!TYPES.includes(rest as MetricType)) throw new ExpositionError(n, `${name}: unknown type "${rest}"`);
        family.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, n);
    const familyName = familyOf(sample.name, current);
    const family = enter(familyName, n);
    const key = `${sample.name}{${Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (seriesSeen.has(key)) throw new ExpositionError(n, `a second sample of ${key}`);
    seriesSeen.add(key);
    family.samples.push(sample);
  });
  return families;
}

/** a histogram's or summary's samples carry suffixes; any other sample names its family */
function familyOf(sampleName: string, current: Family | null): string {
  if (current === null) return sampleName;
  for (const suffix of SUFFIXES[current.type] ?? []) {
    if (sampleName === current.name + suffix) return current.name;
  }
  return sampleName;
}

function parseSample(line: string, n: number): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new ExpositionError(n, `not a sample: ${JSON.stringify(line)}`);
  const name = nameMatch[0];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at));
      if (!labelMatch) throw new ExpositionError(n, `bad label at column ${at + 1}: ${JSON.stringify(line)}`);
      const labelName = labelMatch[1]!;
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__')) throw new ExpositionError(n, `bad label name "${labelName}"`);
      if (labelName in labels) throw new ExpositionError(n, `label ${labelName} twice`);
      at += labelMatch[0].length;
      let raw = '';
      for (;;) {
        const c = line[at];
        if (c === undefined) throw new ExpositionError(n, `unterminated value of label ${labelName}`);
        if (c === '"') break;
        if (c === '\\') {
          raw += c + (line[at + 1] ?? '');
          at += 2;
          continue;
        }
        raw += c;
        at++;
      }
      labels[labelName] = unescape(raw, true, n);
      at++; // the closing quote
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new ExpositionError(n, `expected , or } after label ${labelName}`);
    }
    at++;
  }
  const rest = line.slice(at);
  const m = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (!m) throw new ExpositionError(n, `expected " value [timestamp]" after ${name}: ${JSON.stringify(rest)}`);
  return { name, labels, value: parseValue(m[1]!, n) };
}

function parseValue(text: string, n: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new ExpositionError(n, `bad value "${text}"`);
  return Number(text);
}

/** HELP allows \\ and \n; label values also \" */
function unescape(raw: string, quotes: boolean, n: number): string {
  return raw.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    throw new ExpositionError(n, `bad escape \\${c}`);
  });
}

/** The value of one series, or undefined when the exposition has no such series. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const want = Object.entries(labels);
  const sample = family?.samples.find(
    (s) => s.name === name && Object.keys(s.labels).length === want.length && want.every(([k, v]) => s.labels[k] === v),
  );
  return sample?.value;
}

/** Every series of a family whose labels include these. */
export function samplesOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): Sample[] {
  return (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
