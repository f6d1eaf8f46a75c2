// A JSON string read by one of the lab's own parsers (a duration, a time, a signal name): one
// zod field, one message naming what was expected when the parser says no.
import { z } from 'zod';
import { expectedMessage, expecting } from './issues.js';

/** A string field turned into `parse(text)`; `parse` returns null for text it does not accept. */
export function textField<T>(expected: string, parse: (text: string) => T | null) {
  return z.string({ error: expecting(expected) }).transform((text, ctx): T => {
    const value = parse(text);
    if (value === null) {
      ctx.addIssue({ code: 'custom', message: expectedMessage(expected, text), input: text });
      return z.NEVER;
    }
    return value;
  });
}
