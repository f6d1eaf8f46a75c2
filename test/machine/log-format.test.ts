// AUTOSSH_LOGFORMAT: text (the default) or json; anything else is a D8 error naming the variable.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/machine/config/parse.js';

const args = ['-M', '0', 'host'];

describe('AUTOSSH_LOGFORMAT', () => {
  it('is text unless asked, json when asked', () => {
    const text = parseCommandLine(args, {});
    const json = parseCommandLine(args, { AUTOSSH_LOGFORMAT: 'json' });
    expect(text.kind === 'run' && text.config.logFormat).toBe('text');
    expect(json.kind === 'run' && json.config.logFormat).toBe('json');
  });

  it('refuses anything else, naming the variable', () => {
    expect(parseCommandLine(args, { AUTOSSH_LOGFORMAT: 'JSON' })).toEqual({
      kind: 'error', message: 'invalid log format "JSON" (AUTOSSH_LOGFORMAT: text or json)',
    });
  });
});
