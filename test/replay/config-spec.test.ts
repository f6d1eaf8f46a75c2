// `replay --compare` specs are split as a shell would split them: quotes keep a value whole.
import { describe, expect, it } from 'vitest';
import { applyConfigSpec } from '../../sim/replay/config-spec.js';

const base = { name: 'timeline', args: ['-M', '20000', '-o', 'ServerAliveInterval=60', 'tunnel@relay'], env: {} };

describe('comparison config specs', () => {
  it('keeps a quoted -o value as one option', () => {
    const config = applyConfigSpec(base, '-M 0 -o "ProxyCommand=ssh -W %h:%p jump" -o ServerAliveInterval=15');
    // ssh -o options go first (OpenSSH takes the first value given), the old ServerAliveInterval goes
    expect(config.args).toEqual([
      '-o', 'ProxyCommand=ssh -W %h:%p jump', '-o', 'ServerAliveInterval=15', '-M', '0', 'tunnel@relay',
    ]);
  });

  it('still reads unquoted tokens one by one', () => {
    expect(applyConfigSpec(base, 'AUTOSSH_POLL=60  -M0').env).toEqual({ AUTOSSH_POLL: '60' });
    expect(() => applyConfigSpec(base, '-M 0 host')).toThrow('cannot use "host"');
  });
});
