// A timeline error names the file, the JSON path and what was expected there, so the fix is
// obvious without reading the parser: `incident.json: $.facts[3].for: expected a duration
// like "90s", "+5m" or "1h30m", got "soon"`.
export class TimelineError extends Error {
  constructor(
    readonly file: string,
    readonly jsonPath: string,
    readonly expected: string,
    readonly got?: unknown,
  ) {
    super(`${file}: ${jsonPath}: expected ${expected}${got === undefined ? '' : `, got ${describe(got)}`}`);
    this.name = 'TimelineError';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
