// A timeline error names the file, the JSON path and what was wrong there, so the fix is
// obvious without reading the parser: `incident.json: $.facts[3].for: expected a duration
// like "90s", "+5m" or "1h30m", got "soon"`.
import { jsonPath, type JsonPath } from '../schema/issues.js';

export class TimelineError extends Error {
  /** "$.facts[3].for" */
  readonly jsonPath: string;

  constructor(
    readonly file: string,
    path: JsonPath,
    /** what is wrong there: "expected ..., got ..." */
    readonly problem: string,
  ) {
    super(`${file}: ${jsonPath(path)}: ${problem}`);
    this.name = 'TimelineError';
    this.jsonPath = jsonPath(path);
  }
}
