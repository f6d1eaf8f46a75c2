// File content echoed in a message. A message about the daemon's file goes to stderr, the log and
// systemd's STATUS=, one line each; a key or a value that carried a line break, a carriage return
// or a terminal escape would forge lines there (or rewrite the operator's screen). What is echoed
// is escaped as JSON escapes it, so every message stays one line and says exactly what the file has.

/**
 * Control characters (C0, DEL, C1), the two Unicode line separators, the bidirectional overrides
 * that reorder what a terminal shows, and lone surrogates (no UTF-8 can carry them).
 */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\p{Cs}]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

function escapeOne(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every unsafe character written as its JSON escape (\n, \u001b); the rest as it is.
 * For a whole message: what it quotes with `quoted` is left alone, having nothing left to escape.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** `text` in double quotes, escaped as a JSON string is (and the unsafe characters above). */
export function quoted(text: string): string {
  return `"${escapeControls(text.replace(/["\\]/g, '\\$&'))}"`;
}
