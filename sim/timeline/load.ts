// Reading a timeline file; JSON syntax errors are reported like field errors, with the file.
import { readFileSync } from 'node:fs';
import { TimelineError } from './errors.js';
import { parseTimeline } from './parse.js';
import type { Timeline } from './types.js';

export function loadTimeline(file: string): Timeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
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
