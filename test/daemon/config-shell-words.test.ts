import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ShellWordsError, splitShellWords } from '../../src/daemon/config/shell-words.js';

// The real /bin/sh splits each line (eval "set -- LINE"), file name patterns off (set -f: the
// splitter refuses * and ?, and keeps [ as a shell does when no file matches), in an empty directory.
const emptyDir = mkdtempSync(join(tmpdir(), 'shell-words-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

function shellSplit(lines: readonly string[]): string[][] {
  const script = 'set -f; for line; do eval "set -- $line"; for w; do printf "%s\\0" "$w"; done; printf "\\1\\0"; done';
  const result = spawnSync('/bin/sh', ['-c', script, 'sh', ...lines], { cwd: emptyDir, encoding: 'utf8', timeout: 10_000 });
  expect(result.status, result.stderr).toBe(0);
  const out: string[][] = [];
  let words: string[] = [];
  for (const field of result.stdout.split('\0').slice(0, -1)) {
    if (field === '\u0001') {
      out.push(words);
      words = [];
    } else {
      words.push(field);
    }
  }
  return out;
}

describe('one args string, split as a shell splits it', () => {
  it.each([
    ['-M 0 -N host', ['-M', '0', '-N', 'host']],
    ['  -M\t0   host  ', ['-M', '0', 'host']],
    ['-o "ServerAliveInterval 15" host', ['-o', 'ServerAliveInterval 15', 'host']],
    ["-o 'ProxyCommand ssh -W %h:%p jump' host", ['-o', 'ProxyCommand ssh -W %h:%p jump', 'host']],
    // quotes inside a word join it, and go (string-argv keeps them: -o"A B")
    ['-o"ServerAliveInterval 15" host', ['-oServerAliveInterval 15', 'host']],
    ['a\\ b "c\\"d" \'e\\f\'', ['a b', 'c"d', 'e\\f']],
    ['"" x', ['', 'x']],
    // backslash-newline continues a line (an ExecStart pasted with its continuations)
    ['-M 0 \\\n  -N host', ['-M', '0', '-N', 'host']],
    ['-M 0 \\\r\n  -N host\r\n', ['-M', '0', '-N', 'host']],
    // a line break ends the command; one at the end is harmless
    ['-M 0 -N host\n  \n', ['-M', '0', '-N', 'host']],
    ['-o "a\nb" host', ['-o', 'a\nb', 'host']],
    ['-L [::1]:8080:web:80 a~b a#b', ['-L', '[::1]:8080:web:80', 'a~b', 'a#b']],
  ])('%j', (line, words) => {
    expect(splitShellWords(line)).toEqual(words);
  });

  it.each([
    ['-i $HOME/key', '"$" at character 4: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['-o "User=$USER"', '"$" at character 10: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['-p `cat port`', '"`" at character 4: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['-i ~/.ssh/key', 'a "~" to expand at character 4: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['host # the db', 'a "#" comment at character 6: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['host; rm x', 'the shell operator ";" at character 5: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['-o Host=*', 'the file name pattern "*" at character 9: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['host > log', 'the shell operator ">" at character 6: the file does no shell expansion; write the value itself, quote it, or give args as an array'],
    ['-M 0\n-N host', 'a line break at character 5 would end the command in a shell: end the line with "\\" to continue it, or give args as an array'],
    ['-o "open', 'unterminated " quote at character 4'],
    ["-o 'open", "unterminated ' quote at character 4"],
    ['host \\', 'a backslash ends the line: nothing for it to escape'],
  ])('refuses %j', (line, message) => {
    expect(() => splitShellWords(line)).toThrow(new ShellWordsError(message));
  });

  it('agrees with /bin/sh on every line it accepts (generated from quotes, escapes, blanks, globs)', () => {
    let acceptedCount = 0;
    let totalCount = 0;
    const alphabet = fc.constantFrom(' ', ' ', '\t', "'", '"', '\\', 'a', 'b', '-', '=', ':', '%', '~', '#', '*', '?', '[', ']', '!', '{', '}', ',', '.', '/', '@');
    const text = fc.array(alphabet, { maxLength: 8 }).map((chars) => chars.join(''));
    // mostly well-formed pieces (quoted runs, escapes, blanks), some raw characters in between
    const piece = fc.oneof(
      text,
      text.map((t) => `'${t.replace(/'/g, '')}'`),
      text.map((t) => `"${t.replace(/"/g, '')}"`),
      fc.tuple(alphabet, alphabet).map(([a, b]) => `\\${a}${b}`),
      // (no bare CR: a CRLF outside quotes is a line break here, a CR and a break in sh)
      fc.constantFrom(' ', '\t', '"\\\n"', '\\\n', '\n', '"\r\n"'),
    );
    const line = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 60 }), (lines) => {
        const accepted: [string, string[]][] = [];
        for (const l of lines) {
          try {
            accepted.push([l, splitShellWords(l)]);
          } catch (error) {
            if (!(error instanceof ShellWordsError)) throw error;
          }
        }
        acceptedCount += accepted.length;
        totalCount += lines.length;
        const bySh = shellSplit(accepted.map(([l]) => l));
        expect(accepted.map(([l, words]) => [l, words])).toEqual(accepted.map(([l], i) => [l, bySh[i]]));
      }),
      { numRuns: 25 },
    );
    // the comparison means something only if most lines are accepted
    expect(acceptedCount / totalCount).toBeGreaterThan(0.3);
  });
});
