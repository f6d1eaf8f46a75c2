// `args = "-M 0 -N host"`: one string split into words as a POSIX shell splits a command line,
// so an ExecStart line or a shell script's line can be pasted as it is. Quotes and backslashes
// work as in sh; what a shell would expand or interpret ($VAR, `cmd`, ~, * and ?, ;, |, a
// comment, a line break before more words) is refused, not passed on literally: the file does no
// expansion, and a word that means one thing in the shell and another here would be a silent
// trap. "[" stays as written: it is in every IPv6 forward ("-L [::1]:80:web:80"), and a shell
// keeps it too unless a file name matches. (string-argv, the obvious package, keeps the quotes of
// `-o"A B"` inside the word and drops an unmatched quote without a word.)

export class ShellWordsError extends Error {}

const BLANK = /[ \t]/;
const OPERATOR = /[;|&<>()]/;
const GLOB = /[*?]/;
/** inside double quotes a backslash escapes only these (POSIX); elsewhere it stays */
const DOUBLE_QUOTE_ESCAPABLE = new Set(['$', '`', '"', '\\', '\n']);

function refuse(what: string, at: number): never {
  throw new ShellWordsError(`${what} at character ${at + 1}: the file does no shell expansion; write the value itself, quote it, or give args as an array`);
}

/** the length of the line break at i: a file saved with CRLF line ends keeps them in a '''string''' */
function lineBreakAt(line: string, i: number): number {
  if (line[i] === '\n') return 1;
  return line.startsWith('\r\n', i) ? 2 : 0;
}

export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const end = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (BLANK.test(c)) {
      end();
      i++;
    } else if (lineBreakAt(line, i) > 0) {
      // a newline ends a shell command: what follows would be another command, not more args
      if (line.slice(i).trim() !== '') {
        throw new ShellWordsError(`a line break at character ${i + 1} would end the command in a shell: end the line with "\\" to continue it, or give args as an array`);
      }
      end();
      break;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellWordsError(`unterminated ' quote at character ${i + 1}`);
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      const start = i;
      inWord = true;
      for (i++; ; i++) {
        if (i >= line.length) throw new ShellWordsError(`unterminated " quote at character ${start + 1}`);
        const d = line[i]!;
        if (d === '"') break;
        if (d === '$' || d === '`') refuse(`"${d}"`, i);
        if (d === '\\' && DOUBLE_QUOTE_ESCAPABLE.has(line[i + 1] ?? '')) {
          i++;
          if (line[i] !== '\n') word += line[i];
        } else {
          word += d;
        }
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShellWordsError('a backslash ends the line: nothing for it to escape');
      // backslash-newline continues the line; any other character is taken as it is
      const lineBreak = lineBreakAt(line, i + 1);
      if (lineBreak === 0) {
        word += line[i + 1];
        inWord = true;
      }
      i += 1 + Math.max(lineBreak, 1);
    } else {
      if (c === '$' || c === '`') refuse(`"${c}"`, i);
      if (OPERATOR.test(c)) refuse(`the shell operator "${c}"`, i);
      if (GLOB.test(c)) refuse(`the file name pattern "${c}"`, i);
      if (!inWord && (c === '~' || c === '#')) refuse(c === '~' ? 'a "~" to expand' : 'a "#" comment', i);
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return words;
}
