// Where each key of a TOML document is written. smol-toml gives positions only in its errors, so
// once it has accepted a document we walk the text once more, tracking tables, arrays of tables,
// dotted keys, inline tables and arrays, to learn the line of every key. The document is known
// to be valid TOML here, so the walk may be simple; if it meets anything it does not follow, it
// stops and the keys it has not reached get no line (null), never a wrong one. Keys deeper than
// MAX_RECORDED_DEPTH are read past (the walk goes on) but get no line either.

/** A key's place in the parsed document: table keys, and array indexes for arrays of tables. */
export type KeyPath = readonly (string | number)[];

export interface KeyLines {
  /** the 1-based line where the key (or table header) at `path` is written, or null if unknown */
  lineOf(path: KeyPath): number | null;
  /** the line of `path`, else of its nearest ancestor that has one: where the problem sits */
  nearestLineOf(path: KeyPath): number | null;
}

const BARE_KEY = /[A-Za-z0-9_-]/;

class StopScan extends Error {}

const BASIC_ESCAPES: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

/**
 * A one-line basic string's escapes, as smol-toml reads them (TOML 1.0's, and 1.1's \e and \xHH):
 * a quoted key is recorded under the name the document has, or the walk stops.
 */
function unescapeBasic(raw: string): string {
  return raw.replace(/\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (_whole, x?: string, u?: string, U?: string, single?: string) => {
    const hex = x ?? u ?? U;
    if (hex !== undefined) {
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new StopScan();
      return String.fromCodePoint(code);
    }
    const unescaped = BASIC_ESCAPES[single!];
    if (unescaped === undefined) throw new StopScan();
    return unescaped;
  });
}

/**
 * Lines are recorded for paths of at most this many parts, far deeper than any key of the file
 * format. Every prefix of a key is recorded, so an unbounded depth would cost the square of a
 * key of thousands of parts; past the bound a key is still read (its line is known to the parts
 * within it), so the walk goes on with the right lines after it.
 */
export const MAX_RECORDED_DEPTH = 32;

/** a place in the document whose lines are recorded, or null past MAX_RECORDED_DEPTH */
type Where = KeyPath | null;

export function scanKeyLines(text: string): KeyLines {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineAt = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };

  const lines = new Map<string, number>();
  const record = (path: KeyPath, pos: number): void => {
    if (path.length > MAX_RECORDED_DEPTH) return;
    const id = JSON.stringify(path);
    if (!lines.has(id)) lines.set(id, lineAt(pos));
  };
  /** arrays of tables seen so far (by resolved path) and their last index */
  const arrayTables = new Map<string, number>();
  let pos = 0;
  /** false once the walk met something it does not follow: a key it has no line for may be past that point */
  let complete = true;

  const peek = (offset = 0): string => text[pos + offset] ?? '';
  const startsHere = (s: string): boolean => text.startsWith(s, pos);
  const skipBlanks = (): void => {
    while (peek() === ' ' || peek() === '\t') pos++;
  };
  /** blanks, newlines and comments: what may sit between an array's or inline table's items */
  const skipSpace = (): void => {
    for (;;) {
      skipBlanks();
      if (peek() === '\r' || peek() === '\n') pos++;
      else if (peek() === '#') skipComment();
      else return;
    }
  };
  const skipComment = (): void => {
    while (pos < text.length && peek() !== '\n') pos++;
  };

  /** a quoted string starting at pos; returns its raw content (escapes left as written) */
  const readString = (): string => {
    const quote = peek();
    const triple = startsHere(quote.repeat(3));
    const delimiter = triple ? quote.repeat(3) : quote;
    pos += delimiter.length;
    const start = pos;
    while (pos < text.length) {
      if (quote === '"' && peek() === '\\') {
        pos += 2;
        continue;
      }
      if (startsHere(delimiter)) {
        let end = pos;
        pos += delimiter.length;
        // A multi-line string may end with one or two quotes of its own before the delimiter.
        for (let extra = 0; triple && extra < 2 && peek() === quote; extra++) {
          pos++;
          end++;
        }
        return text.slice(start, end);
      }
      if (!triple && peek() === '\n') throw new StopScan();
      pos++;
    }
    throw new StopScan();
  };

  const readSimpleKey = (): string => {
    const c = peek();
    if (c === '"') return unescapeBasic(readString());
    if (c === "'") return readString();
    const start = pos;
    while (BARE_KEY.test(peek())) pos++;
    if (pos === start) throw new StopScan();
    return text.slice(start, pos);
  };

  /** a dotted key at pos: its parts (read in linear time, however many) */
  const readKey = (): string[] => {
    const parts = [readSimpleKey()];
    for (;;) {
      skipBlanks();
      if (peek() !== '.') return parts;
      pos++;
      skipBlanks();
      parts.push(readSimpleKey());
    }
  };

  /** `path` and one more part, or null once that is past the recorded depth */
  const deeper = (path: Where, ...parts: (string | number)[]): Where =>
    path === null || path.length + parts.length > MAX_RECORDED_DEPTH ? null : [...path, ...parts];

  /** key = value, the key's parts relative to `base`; records every dotted prefix too */
  const readKeyValue = (base: Where): void => {
    const keyPos = pos;
    const parts = readKey();
    if (base !== null) {
      const recorded = Math.min(parts.length, MAX_RECORDED_DEPTH - base.length);
      for (let i = 1; i <= recorded; i++) record([...base, ...parts.slice(0, i)], keyPos);
    }
    skipBlanks();
    if (peek() !== '=') throw new StopScan();
    pos++;
    skipBlanks();
    readValue(deeper(base, ...parts));
  };

  const readValue = (path: Where): void => {
    if (path !== null) record(path, pos); // an array's items have no key: their own line
    const c = peek();
    if (c === '"' || c === "'") {
      readString();
    } else if (c === '[') {
      pos++;
      for (let index = 0; ; index++) {
        skipSpace();
        if (peek() === ']') break;
        readValue(deeper(path, index));
        skipSpace();
        if (peek() === ',') pos++;
        else if (peek() !== ']') throw new StopScan();
      }
      pos++;
    } else if (c === '{') {
      pos++;
      for (;;) {
        skipSpace();
        if (peek() === '}') break;
        readKeyValue(path);
        skipSpace();
        if (peek() === ',') pos++;
        else if (peek() !== '}') throw new StopScan();
      }
      pos++;
    } else {
      // a number, a boolean, a date (which may hold a space): runs to a separator
      const start = pos;
      while (pos < text.length && !/[,\]}#\r\n]/.test(peek())) pos++;
      if (pos === start) throw new StopScan();
    }
  };

  /**
   * [a.b] or [[a.b]]: the table's resolved path, with the current index of each array of tables;
   * null when it is deeper than the recorded depth (its prefixes within it are recorded)
   */
  const readHeader = (): Where => {
    const isArray = startsHere('[[');
    pos += isArray ? 2 : 1;
    skipBlanks();
    const headerPos = pos;
    const parts = readKey();
    skipBlanks();
    if (!startsHere(isArray ? ']]' : ']')) throw new StopScan();
    pos += isArray ? 2 : 1;
    const resolved: (string | number)[] = [];
    for (let i = 0; i < parts.length; i++) {
      // an array of tables past the bound is not tracked: no header within it can reach it
      if (resolved.length >= MAX_RECORDED_DEPTH) return null;
      resolved.push(parts[i]!);
      record(resolved, headerPos); // [[tunnel]]'s own key, and the tables a dotted header implies
      const id = JSON.stringify(resolved);
      const last = i === parts.length - 1;
      if (last && isArray) {
        const index = (arrayTables.get(id) ?? -1) + 1;
        arrayTables.set(id, index);
        resolved.push(index);
      } else if (arrayTables.has(id)) {
        resolved.push(arrayTables.get(id)!);
      }
    }
    if (resolved.length > MAX_RECORDED_DEPTH) return null;
    record(resolved, headerPos);
    return resolved;
  };

  try {
    let table: Where = [];
    while (pos < text.length) {
      skipSpace();
      if (pos >= text.length) break;
      if (peek() === '[') table = readHeader();
      else readKeyValue(table);
      skipBlanks();
      if (peek() === '#') skipComment();
      if (pos < text.length && peek() !== '\n' && peek() !== '\r') throw new StopScan();
    }
  } catch (error) {
    if (!(error instanceof StopScan)) throw error;
    complete = false;
  }

  const lineOf = (path: KeyPath): number | null => (path.length > MAX_RECORDED_DEPTH ? null : lines.get(JSON.stringify(path)) ?? null);
  return {
    lineOf,
    nearestLineOf: (path) => {
      const own = lineOf(path);
      // a key without a line of its own is absent (its table's line is where it is missing), or
      // deeper than the bound, or past where an incomplete walk stopped: then its table's line
      // would be a wrong one
      if (own !== null || path.length > MAX_RECORDED_DEPTH || !complete) return own;
      for (let n = path.length - 1; n > 0; n--) {
        const line = lineOf(path.slice(0, n));
        if (line !== null) return line;
      }
      return null;
    },
  };
}
