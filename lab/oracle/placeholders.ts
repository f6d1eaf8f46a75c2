// A scenario's placeholders filled in with one run's real ports and work directory, and that
// run's ports, pids and paths written back as placeholders in its trace, so the traces of
// different runs (and 1.4g's goldens) compare.
import { basename } from 'node:path';

/** Each `{{NAME}}` or `{{NAME+k}}` with a known NAME, in every string of the scenario. */
export function fillPlaceholders(value: unknown, values: Readonly<Record<string, number | string>>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{(\w+)(?:\+(\d+))?\}\}/g, (whole, name: string, plus?: string) => {
      const v = values[name];
      if (v === undefined) return whole;
      return plus === undefined ? String(v) : String(Number(v) + Number(plus));
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, values)]));
  return value;
}

/** Real ports, pids and paths written back as the trace's placeholders, so traces of different runs compare. */
export class Normalizer {
  private readonly words = new Map<string, string>();

  constructor(base: number, private readonly workdir: string, private readonly sshPaths: readonly string[]) {
    this.words.set(String(base), '{{MPORT}}');
    this.words.set(String(base + 1), '{{MPORT+1}}');
    this.words.set(String(base + 2), '{{EPORT}}');
    this.words.set(String(base + 3), '{{EPORT+1}}');
  }

  pid(pid: number, label: string): void {
    if (!this.words.has(String(pid))) this.words.set(String(pid), label);
  }

  text(text: string): string {
    let out = text.split(this.workdir).join('{{WORKDIR}}');
    for (const path of this.sshPaths) out = out.split(path).join('ssh');
    return out.replace(/(?<![\d.])\d+(?![\d.])/g, (digits) => this.words.get(digits) ?? digits);
  }

  /** ssh's argv: the executed path as "ssh", each ':'-separated port as its placeholder */
  argv(argv: readonly string[]): string[] {
    return argv.map((word, i) => {
      if (i === 0 && (this.sshPaths.includes(word) || basename(word).startsWith('fake-ssh'))) return 'ssh';
      return word.split(':').map((field) => (/^\d+$/.test(field) && this.words.get(field)?.startsWith('{{') ? this.words.get(field)! : field)).join(':');
    });
  }
}

/** "<host> <program> <pid> <id> <message>": what differs between runs masked */
export function maskProbeData(data: string): string {
  const parts = data.split(' ');
  if (parts.length < 5) return data;
  return ['<host>', parts[1], '<pid>', '<id>', parts.slice(4).join(' ')].join(' ');
}

