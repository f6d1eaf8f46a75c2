// Reading a timeline file; JSON syntax errors are reported like field errors, with the file.
import { formatBytes, InputTooLargeError, readTextBounded } from '../schema/read-bounded.js';
import { TimelineError } from './errors.js';
import { parseTimeline } from './parse.js';
import type { Timeline } from './types.js';

/** 1,000,000 facts and as many logged decisions fit well inside (V8's longest string is 512 MiB) */
export const MAX_TIMELINE_BYTES = 256 << 20;

export function loadTimeline(file: string): Timeline {
  let text: string;
  try {
    text = readTextBounded(file, MAX_TIMELINE_BYTES);
  } catch (error) {
    if (error instanceof InputTooLargeError) throw new TimelineError(file, [], `expected a timeline of at most ${formatBytes(MAX_TIMELINE_BYTES)}, got a file ${error.message}`);
    throw new TimelineError(file, [], `expected a readable file, got ${(error as Error).message}`);
  }
  return parseTimelineText(text, file);
}

export function parseTimelineText(text: string, file: string): Timeline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TimelineError(file, [], `expected valid JSON (${(error as Error).message})`);
  }
  return parseTimeline(value, file);
}
