// D13 in the parser: a host without -M and without AUTOSSH_PORT asks the shell for a port pair
// (1.4g printed usage); everything 1.4g refuses first is still refused first.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/machine/config/parse.js';

const base = { AUTOSSH_PATH: '/usr/bin/ssh' };

describe('D13: no -M and no AUTOSSH_PORT', () => {
  it.each([
    [['-N', 'host']],
    [['host']],
    [['-f', '-N', 'host']],
    [['host', '-L', '1:a:2']],
  ])('%j with a host asks for a monitor port', (args) => {
    expect(parseCommandLine(args, base)).toEqual({ kind: 'needsMonitorPort' });
  });

  it('runs with the picked port once AUTOSSH_PORT is set, forwards first (as Debian with AUTOSSH_PORT)', () => {
    const outcome = parseCommandLine(['-N', 'host'], { ...base, AUTOSSH_PORT: '40000' });
    expect(outcome.kind).toBe('run');
    if (outcome.kind !== 'run') return;
    expect(outcome.config.monitor).toEqual({ form: 'loop', writePort: 40000, readPort: 40001 });
    expect(outcome.config.sshArgv).toEqual(['/usr/bin/ssh', '-L', '40000:127.0.0.1:40000', '-R', '40000:127.0.0.1:40001', '-N', 'host']);
  });

  it.each([
    [['-N'], { kind: 'usage', complaint: null }],
    [[], { kind: 'usage', complaint: null }],
    [['-Z', 'host'], { kind: 'usage', complaint: "invalid option -- 'Z'" }],
    [['-V', 'host'], { kind: 'version' }],
  ])('%j is answered as 1.4g answers it, port or not', (args, expected) => {
    expect(parseCommandLine(args, base)).toEqual(expected);
  });

  it('reports a bad AUTOSSH_* value before asking for a port', () => {
    expect(parseCommandLine(['host'], { ...base, AUTOSSH_POLL: 'abc' }).kind).toBe('error');
  });

  it('never asks when -M or AUTOSSH_PORT gives one, 0 included', () => {
    expect(parseCommandLine(['-M', '0', 'host'], base).kind).toBe('run');
    expect(parseCommandLine(['host'], { ...base, AUTOSSH_PORT: '0' }).kind).toBe('run');
  });
});
