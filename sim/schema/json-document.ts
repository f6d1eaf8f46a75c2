// What every JSON document the lab reads must be before its schema looks at it: no deeper than
// any format needs (the code that walks a value recursively, and zod, would otherwise run out of
// stack on a file nested 100,000 arrays deep), and free of "__proto__" keys (JSON.parse keeps one
// as a field, but copying it into an object sets that object's prototype instead: the key would
// vanish, and with it whatever the file meant by it; the daemon's TOML refuses it too).
import type { Problem } from './issues.js';

/** Far deeper than any of the lab's formats (a timeline's source inferences are 4 levels). */
export const MAX_JSON_DEPTH = 64;

/** A path is named up to this many steps; a deeper one ends in "…". */
const PATH_SHOWN = 8;

/**
 * The first problem of shape in `value` (from JSON.parse), or null. Walked with a stack of its
 * own, so no document can exhaust the call stack here.
 */
export function jsonShapeProblem(value: unknown): Problem | null {
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) {
      return { path: shownPath(path), message: `nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects); no field of this format goes that deep` };
    }
    // pushed in reverse, so the first problem in document order is found first
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ value: node[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(node);
    if (keys.includes('__proto__')) {
      return { path: [...shownPath(path), '__proto__'], message: 'a key named "__proto__" is refused: it would be read as the object\'s prototype, not as a field' };
    }
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (node as Record<string, unknown>)[keys[i]!], path: [...path, keys[i]!] });
  }
  return null;
}

/** the first steps of a long path, then "…" (a path 100,000 levels deep is not a message) */
function shownPath(path: PropertyKey[]): PropertyKey[] {
  return path.length <= PATH_SHOWN ? path : [...path.slice(0, PATH_SHOWN), '…'];
}
