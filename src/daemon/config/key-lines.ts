// Where each key of a TOML document is written. smol-toml gives positions only in its errors, so
// once it has accepted a document we walk the text once more, tracking tables, arrays of tables,
// dotted keys, inline tables and arrays, to learn the line of every key. The document is known
// to be valid TOML here, so the walk may be simple; if it meets anything it does not follow, it
// stops and the keys it has not reached get no line (null), never a wrong one.

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

/** deeper dotted keys than any the file format has, by far */
const MAX_KEY_PARTS = 32;

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
    const id = JSON.stringify(path);
    if (!lines.has(id)) lines.set(id, lineAt(pos));
  };
  /** arrays of tables seen so far (by resolved path) and their last index */
  const arrayTables = new Map<string, number>();
  let pos = 0;

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
    if (c === '"') {
      const raw = readString();
      try {
        return JSON.parse(`"${raw}"`) as string;
      } catch {
        return raw; // an escape JSON lacks (\e, \U...): this key will have no line
      }
    }
    if (c === "'") return readString();
    const start = pos;
    while (BARE_KEY.test(peek())) pos++;
    if (pos === start) throw new StopScan();
    return text.slice(start, pos);
  };

  /** a dotted key at pos: its parts, and the position where it starts */
  const readKey = (): string[] => {
    const parts = [readSimpleKey()];
    for (;;) {
      skipBlanks();
      if (peek() !== '.') return parts;
      // every prefix of a key is recorded: a key of thousands of parts would cost their square.
      // No key of ours is deeper than a few parts; past the bound, lines are not known
      if (parts.length >= MAX_KEY_PARTS) throw new StopScan();
      pos++;
      skipBlanks();
      parts.push(readSimpleKey());
    }
  };

  /** key = value, the key's parts relative to `base`; records every dotted prefix too */
  const readKeyValue = (base: KeyPath): void => {
    const keyPos = pos;
    const parts = readKey();
    for (let i = 1; i <= parts.length; i++) record([...base, ...parts.slice(0, i)], keyPos);
    skipBlanks();
    if (peek() !== '=') throw new StopScan();
    pos++;
    skipBlanks();
    readValue([...base, ...parts]);
  };

  const readValue = (path: KeyPath): void => {
    record(path, pos); // an array's items have no key: their own line
    const c = peek();
    if (c === '"' || c === "'") {
      readString();
    } else if (c === '[') {
      pos++;
      for (let index = 0; ; index++) {
        skipSpace();
        if (peek() === ']') break;
        readValue([...path, index]);
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

  /** [a.b] or [[a.b]]: the table's resolved path, with the current index of each array of tables */
  const readHeader = (): KeyPath => {
    const isArray = startsHere('[[');
    pos += isArray ? 2 : 1;
    skipBlanks();
    const headerPos = pos;
    const parts = readKey();
    skipBlanks();
    if (!startsHere(isArray ? ']]' : ']')) throw new StopScan();
    pos += isArray ? 2 : 1;
    const resolved: (string | number)[] = [];
    parts.forEach((part, i) => {
      resolved.push(part);
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
    });
    record(resolved, headerPos);
    return resolved;
  };

  try {
    let table: KeyPath = [];
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
  }

  const lineOf = (path: KeyPath): number | null => lines.get(JSON.stringify(path)) ?? null;
  return {
    lineOf,
    nearestLineOf: (path) => {
      for (let n = path.length; n > 0; n--) {
        const line = lineOf(path.slice(0, n));
        if (line !== null) return line;
      }
      return null;
    },
  };
}
