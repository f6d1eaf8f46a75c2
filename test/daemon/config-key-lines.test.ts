import fc from 'fast-check';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { MAX_RECORDED_DEPTH, scanKeyLines, type KeyPath } from '../../src/daemon/config/key-lines.js';

describe('the line of every key', () => {
  it('follows headers, dotted headers, arrays of tables, inline tables and quoted keys', () => {
    const text = [
      '# [[tunnel]] in a comment is no header', // 1
      '[ status ]  # spaces in a header', // 2
      'listen = "127.0.0.1:9273" # name = "x"', // 3
      '', // 4
      '[defaults]', // 5
      'env = { AUTOSSH_POLL = "60",', // 6
      '        "AUTOSSH_GATETIME" = "0" }', // 7  (TOML 1.1 lets an inline table span lines)
      '[[ tunnel ]]', // 8
      'name = "a"', // 9
      'args = [', // 10
      '  "-M", # a comment inside the array', // 11
      '  "0",', // 12
      '  "host",', // 13
      ']', // 14
      '[tunnel.env]', // 15
      "'AUTOSSH_MAXSTART' = '5'", // 16
      '[[tunnel]]', // 17
      'args = """', // 18
      'name = "not a key"', // 19
      '[[tunnel]]', // 20
      '-M 0 host"""', // 21
      'name = "b"', // 22
      'env.AUTOSSH_POLL = "1"', // 23
      "x = '''", // 24
      "a ] [ ' '' b", // 25
      "'''", // 26
      'y = "quote \\" [[tunnel]] # inside"', // 27
      '[log]', // 28
      'format = "text"', // 29
    ].join('\n');
    expect(Object.keys(parseToml(text))).toEqual(['status', 'defaults', 'tunnel', 'log']);
    const lines = scanKeyLines(text);
    const expected: [KeyPath, number][] = [
      [['status'], 2], [['status', 'listen'], 3],
      [['defaults'], 5], [['defaults', 'env'], 6], [['defaults', 'env', 'AUTOSSH_POLL'], 6], [['defaults', 'env', 'AUTOSSH_GATETIME'], 7],
      [['tunnel'], 8], [['tunnel', 0], 8], [['tunnel', 0, 'name'], 9], [['tunnel', 0, 'args'], 10],
      [['tunnel', 0, 'args', 0], 11], [['tunnel', 0, 'args', 1], 12], [['tunnel', 0, 'args', 2], 13],
      [['tunnel', 0, 'env'], 15], [['tunnel', 0, 'env', 'AUTOSSH_MAXSTART'], 16],
      [['tunnel', 1], 17], [['tunnel', 1, 'args'], 18], [['tunnel', 1, 'name'], 22],
      [['tunnel', 1, 'env'], 23], [['tunnel', 1, 'env', 'AUTOSSH_POLL'], 23], [['tunnel', 1, 'x'], 24], [['tunnel', 1, 'y'], 27],
      [['log'], 28], [['log', 'format'], 29],
    ];
    for (const [path, line] of expected) expect([path, lines.lineOf(path)]).toEqual([path, line]);
    expect(lines.lineOf(['tunnel', 2])).toBeNull(); // the [[tunnel]] inside the string made none
    expect(lines.nearestLineOf(['tunnel', 1, 'missing'])).toBe(17);
    expect(lines.nearestLineOf(['nothing'])).toBeNull();
  });

  it('reads an array of inline tables as an array of tables', () => {
    const text = 'tunnel = [\n  { name = "a", args = "-M 0 h" },\n\n  { name = "b",\n    args = "-M 0 h" },\n]\n';
    parseToml(text);
    const lines = scanKeyLines(text);
    expect(lines.lineOf(['tunnel'])).toBe(1);
    expect(lines.lineOf(['tunnel', 0, 'name'])).toBe(2);
    expect(lines.lineOf(['tunnel', 1, 'name'])).toBe(4);
    expect(lines.lineOf(['tunnel', 1, 'args'])).toBe(5);
  });

  it('gives no line, never a wrong one, after something it does not follow', () => {
    // not TOML (the scanner only ever sees documents smol-toml accepted): it stops at "@"
    const lines = scanKeyLines('a = 1\n@ = 2\nb = 3\n');
    expect(lines.lineOf(['a'])).toBe(1);
    expect(lines.lineOf(['b'])).toBeNull();
  });

  it('gives a key past where the walk stopped no line, not its table\'s', () => {
    const lines = scanKeyLines('[t]\na = 1\n@ = 2\nb = 3\n');
    expect(lines.lineOf(['t', 'a'])).toBe(2);
    expect(lines.nearestLineOf(['t', 'a'])).toBe(2);
    // b is in [t] (line 1) but written at line 4, where the walk never came
    expect(lines.nearestLineOf(['t', 'b'])).toBeNull();
  });

  it('records a quoted key under the name its escapes make, as smol-toml reads it', () => {
    const text = '[t]\n"\\U00000041" = 1\n"a\\nb" = 2\n"\\x42\\e" = 3\n"\\u0043" = 4\n';
    expect(Object.keys(parseToml(text).t as object)).toEqual(['A', 'a\nb', 'B\x1b', 'C']);
    const lines = scanKeyLines(text);
    expect([['A', 'a\nb', 'B\x1b', 'C'].map((key) => lines.lineOf(['t', key]))]).toEqual([[2, 3, 4, 5]]);
  });

  it(`follows a dotted key deeper than ${MAX_RECORDED_DEPTH} parts: its parts within the bound have its line, deeper ones none, the keys after it theirs`, () => {
    const parts = Array.from({ length: 40 }, (_, i) => `p${i}`);
    const text = `[t]\n${parts.join('.')} = [1,\n2]\nafter = 1\n[${parts.join('.')}]\nx = 1\n[u]\ny = 1\n`;
    parseToml(text);
    const lines = scanKeyLines(text);
    expect(lines.lineOf(['t', ...parts.slice(0, MAX_RECORDED_DEPTH - 1)])).toBe(2);
    expect(lines.lineOf(['t', ...parts.slice(0, MAX_RECORDED_DEPTH)])).toBeNull();
    expect(lines.nearestLineOf(['t', ...parts])).toBeNull();
    expect(lines.lineOf(['t', 'after'])).toBe(4);
    expect(lines.lineOf(parts.slice(0, MAX_RECORDED_DEPTH))).toBe(5);
    expect(lines.nearestLineOf([...parts, 'x'])).toBeNull(); // at line 6, under a header past the bound
    expect(lines.lineOf(['u', 'y'])).toBe(8);
  });
});

// A generated document: tables, arrays of tables, and values of every form, with the line each
// key was written on. Strings hold what looks like headers, keys and comments. `expected` is
// every key the scanner must place; `implied` adds the keys it may leave unknown (a dotted
// header's or dotted key's parents, an inline table's keys): together, every key the parser reports.
interface Rendered { text: string; expected: [KeyPath, number][]; implied: [KeyPath, number][] }

const TRICKY = ['plain', '[[tunnel]]', 'name = "x"', '# not a comment', "it's", 'a ] b } c', 'x.y = 1', ''];
const tricky = fc.constantFrom(...TRICKY);
const basicString = tricky.map((s) => JSON.stringify(s));
const literalString = tricky.filter((s) => !s.includes("'")).map((s) => `'${s}'`);
const multiBasic = fc.array(tricky, { minLength: 1, maxLength: 3 }).map((rows) => `"""\n${rows.map((r) => r.replace(/"/g, '\\"')).join('\n')}"""`);
const multiLiteral = fc.array(tricky, { minLength: 1, maxLength: 3 }).map((rows) => `'''\n${rows.join('\n')}'''`);
/** multi-line strings may end with one or two quotes of their own before the delimiter */
const quoteEnded = fc.constantFrom('"""ends with a quote""""', "'''ends with two'''''");
const scalar = fc.oneof(basicString, literalString, multiBasic, multiLiteral, quoteEnded, fc.integer().map(String), fc.constantFrom('true', '1979-05-27 07:32:00Z', '1.5'));
const arrayValue = fc.tuple(fc.array(scalar, { maxLength: 3 }), fc.boolean())
  .map(([items, multiline]) => (multiline ? `[\n${items.map((i) => `  ${i}, # c`).join('\n')}\n]` : `[${items.join(', ')}]`));
/** an inline table, as written, and the names of its keys */
const inlineTable = fc.array(fc.oneof(basicString, fc.integer().map(String)), { maxLength: 3 })
  .map((values) => ({ text: `{ ${values.map((v, i) => `"i ${i}" = ${v}`).join(', ')} }`, keys: values.map((_, i) => `i ${i}`) }));
const value = fc.oneof(scalar.map((text) => ({ text, keys: [] as string[] })), arrayValue.map((text) => ({ text, keys: [] as string[] })), inlineTable);
/** how a key is written: bare, quoted, quoted with escapes, or dotted (its parent is the first part) */
const keyForm = fc.constantFrom('bare', 'quoted', 'escaped', 'dotted');
const table = fc.record({
  header: fc.constantFrom('plain', 'array', 'dotted'),
  keys: fc.array(fc.tuple(value, keyForm, fc.constantFrom('', '  # trailing', '\n# a comment line\n')), { maxLength: 4 }),
});

/** the key as written, and its path under its table */
function keyOf(form: string, k: number): { written: string; path: KeyPath } {
  switch (form) {
    case 'quoted':
      return { written: `"k ${k}"`, path: [`k ${k}`] };
    case 'escaped':
      return { written: `"k\\u0020\\t${k}"`, path: [`k \t${k}`] };
    case 'dotted':
      return { written: `d${k} . "e f"`, path: [`d${k}`, 'e f'] };
    default:
      return { written: `k${k}`, path: [`k${k}`] };
  }
}

function render(tables: { header: string; keys: [{ text: string; keys: string[] }, string, string][] }[]): Rendered {
  const out: string[] = [];
  const expected: [KeyPath, number][] = [];
  const implied: [KeyPath, number][] = [];
  let arrays = 0;
  let lineCount = 0;
  /** writes s; the line its first row lands on */
  const emit = (s: string): number => {
    out.push(s);
    const line = lineCount + 1;
    lineCount += s.split('\n').length;
    return line;
  };
  tables.forEach((t, n) => {
    let path: (string | number)[];
    if (t.header === 'array') {
      path = ['arr', arrays++];
      const line = emit('[[ arr ]]');
      expected.push([path, line]);
      if (arrays === 1) implied.push([['arr'], line]);
    } else if (t.header === 'dotted') {
      path = [`t${n}`, 'sub'];
      const line = emit(`[t${n}."sub"]`);
      expected.push([path, line]);
      implied.push([[`t${n}`], line]);
    } else {
      path = [`t${n}`];
      expected.push([path, emit(`[t${n}]`)]);
    }
    t.keys.forEach(([v, form, after], k) => {
      const key = keyOf(form, k);
      const keyPath = [...path, ...key.path];
      const line = emit(`${key.written} = ${v.text}${after}`);
      expected.push([keyPath, line]);
      if (key.path.length > 1) implied.push([[...path, ...key.path.slice(0, -1)], line]);
      for (const inner of v.keys) implied.push([[...keyPath, inner], line]);
    });
  });
  return { text: `${out.join('\n')}\n`, expected, implied };
}

/** Every key path of a parsed document: table keys, and indexes into arrays of tables. */
function keyPathsOf(table: Record<string, unknown>, under: KeyPath = []): KeyPath[] {
  return Object.entries(table).flatMap(([key, value]) => {
    const path = [...under, key];
    if (Array.isArray(value) && value.length > 0 && value.every((item) => isTable(item))) {
      return [path, ...value.flatMap((item, i) => [[...path, i], ...keyPathsOf(item as Record<string, unknown>, [...path, i])])];
    }
    return isTable(value) ? [path, ...keyPathsOf(value as Record<string, unknown>, path)] : [path];
  });
}

function isTable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

describe('the line of every key, generated', () => {
  it('gives every key the parser reports its line, or none, never a wrong one', () => {
    fc.assert(
      fc.property(fc.array(table, { maxLength: 6 }), (tables) => {
        const { text, expected, implied } = render(tables);
        const truth = new Map([...implied, ...expected].map(([path, line]) => [JSON.stringify(path), line]));
        const lines = scanKeyLines(text);
        for (const path of keyPathsOf(parseToml(text))) {
          const where = JSON.stringify(path);
          // the generator knows where the parser's every key was written
          expect(truth.has(where), where).toBe(true);
          const said = lines.lineOf(path);
          if (said !== null) expect([where, said]).toEqual([where, truth.get(where)]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches where each key was written, in any document smol-toml accepts', () => {
    fc.assert(
      fc.property(fc.array(table, { maxLength: 6 }), (tables) => {
        const { text, expected } = render(tables);
        parseToml(text); // the document is valid TOML
        const lines = scanKeyLines(text);
        for (const [path, line] of expected) expect([path, lines.lineOf(path)]).toEqual([path, line]);
      }),
      { numRuns: 300 },
    );
  });
});
