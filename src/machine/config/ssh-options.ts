// Which single-letter options take a value decides how autossh walks the command line
// (getopt) and where it may strip an `f` (strip_arg). 1.4g froze OpenSSH's table of 2019;
// we use current OpenSSH's (ssh.c, 9.x) so that -B, -J and -P take their values, and keep
// autossh's own -M (value) and -V (no value) in front, as 1.4g does.
export const SSH_OPTION_STRING =
  '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:Tw:W:XYy';

export const AUTOSSH_OPTION_STRING = `M:V${SSH_OPTION_STRING}`;

export interface OptionTable {
  /** the letter is a known option */
  has(letter: string): boolean;
  /** the letter's option takes a value */
  takesValue(letter: string): boolean;
}

/** getopt(3) semantics: the first occurrence of a letter wins. */
export function optionTable(optionString: string): OptionTable {
  const withValue = new Map<string, boolean>();
  for (let i = 0; i < optionString.length; i++) {
    const letter = optionString[i]!;
    if (letter === ':') continue;
    if (!withValue.has(letter)) withValue.set(letter, optionString[i + 1] === ':');
  }
  return {
    has: (letter) => withValue.has(letter),
    takesValue: (letter) => withValue.get(letter) === true,
  };
}
