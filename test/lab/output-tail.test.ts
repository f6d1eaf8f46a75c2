import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputTail } from '../../lab/world/output-tail.js';

describe('OutputTail', () => {
  it('keeps the last characters of every stream it follows, in arrival order', () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const tail = new OutputTail(10).follow(stdout, null, stderr);
    stdout.write('0123456789');
    stderr.write('abc');
    expect(tail.text()).toBe('3456789abc');
    tail.add(Buffer.from('spawn error\n'));
    expect(tail.text()).toBe('awn error\n');
  });

  it("bounds a real process's output however much it writes", async () => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('x'.repeat(1e6) + 'the end')"]);
    const tail = new OutputTail(1000).follow(child.stdout, child.stderr);
    await once(child, 'close');
    expect(tail.text()).toHaveLength(1000);
    expect(tail.text().endsWith('xthe end')).toBe(true);
  });
});
