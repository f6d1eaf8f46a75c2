// ssh's stderr reader: lines whole whatever the reads were, every byte passed on unchanged, a
// line without an end kept bounded. Then the real thing: a child that writes its last line and
// exits at once has that line heard before its end is told.
import { describe, expect, it } from 'vitest';
import { SshStderr } from '../../src/adapters/ssh-stderr.js';
import { SshChild, STDERR_GRACE_MS } from '../../src/adapters/ssh-child.js';
import type { SshEnd } from '../../src/machine/events.js';

function reader(maxLineBytes?: number) {
  const lines: string[] = [];
  const passed: Buffer[] = [];
  const stderr = new SshStderr((line) => lines.push(line), (chunk) => passed.push(Buffer.from(chunk)), maxLineBytes);
  return { stderr, lines, passed: () => Buffer.concat(passed) };
}

/** `text` cut at every one of `cuts` (byte offsets), fed as separate reads. */
function feed(stderr: SshStderr, bytes: Buffer, cuts: number[]): void {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    stderr.write(bytes.subarray(start, cut));
    start = cut;
  }
}

describe('SshStderr: lines', () => {
  const text = Buffer.from('Warning: remote port forwarding failed for listen port 4022\nAuthenticated to host ([127.0.0.1]:22) using "publickey".\n');

  it('delivers the same lines whatever the reads cut, one byte at a time included', () => {
    const expected = [
      'Warning: remote port forwarding failed for listen port 4022',
      'Authenticated to host ([127.0.0.1]:22) using "publickey".',
    ];
    for (const cuts of [[], [10], [59], [60], [61, 62], Array.from({ length: text.length - 1 }, (_, i) => i + 1)]) {
      const { stderr, lines } = reader();
      feed(stderr, text, cuts);
      expect(lines, `cut at ${cuts.join(',')}`).toEqual(expected);
    }
  });

  it('never delivers part of a line before its newline', () => {
    const { stderr, lines } = reader();
    stderr.write(Buffer.from('Error: remote port forwarding failed for listen '));
    expect(lines).toEqual([]);
    stderr.write(Buffer.from('port 4022\r'));
    expect(lines).toEqual([]);
    stderr.write(Buffer.from('\n'));
    expect(lines).toEqual(['Error: remote port forwarding failed for listen port 4022']);
  });

  it('takes CRLF as a line end, also split between reads, and keeps a CR inside a line', () => {
    const { stderr, lines } = reader();
    feed(stderr, Buffer.from('one\r\ntwo\r\nthree\rstill three\n'), [4, 9]);
    expect(lines).toEqual(['one', 'two', 'three\rstill three']);
  });

  it('delivers empty lines and a last line without its newline at the end', () => {
    const { stderr, lines } = reader();
    stderr.write(Buffer.from('\n\nlast words'));
    expect(lines).toEqual(['', '']);
    stderr.end();
    expect(lines).toEqual(['', '', 'last words']);
    stderr.end();
    expect(lines).toHaveLength(3);
  });

  it('keeps a multi-byte character whole when a read cuts through it', () => {
    const { stderr, lines } = reader();
    const bytes = Buffer.from('hôte injoignable\n');
    feed(stderr, bytes, [2]); // inside "ô"
    expect(lines).toEqual(['hôte injoignable']);
  });

  it('keeps a line that never ends bounded, and passes every byte of it on', () => {
    const max = 1024;
    const { stderr, lines, passed } = reader(max);
    const huge = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < huge.length; i += 4096) {
      stderr.write(huge.subarray(i, i + 4096));
      expect(stderr.bufferedBytes).toBeLessThanOrEqual(max);
    }
    expect(lines).toEqual([]);
    const rest = Buffer.from('y\r\nremote port forwarding failed for listen port 7\n');
    stderr.write(rest);
    // the long line's head, then the next line whole: the reader found its feet again
    expect(lines).toEqual(['x'.repeat(max), 'remote port forwarding failed for listen port 7']);
    expect(stderr.bufferedBytes).toBe(0);
    expect(passed().equals(Buffer.concat([huge, rest]))).toBe(true);
  });
});

describe('SshStderr: pass-through', () => {
  it('passes every byte on unchanged and in order, before the lines in it are delivered', () => {
    const order: string[] = [];
    const passed: Buffer[] = [];
    const stderr = new SshStderr(
      (line) => order.push(`line ${line}`),
      (chunk) => {
        order.push(`bytes ${chunk.length}`);
        passed.push(Buffer.from(chunk));
      },
      16,
    );
    // every byte value, CR, LF and invalid UTF-8 among them, and a line past the bound
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n'), Buffer.alloc(100, 0xff), Buffer.from('\n')]);
    feed(stderr, bytes, [3, 10, 11, 200, 257, 258, 300]);
    expect(Buffer.concat(passed).equals(bytes)).toBe(true);
    expect(order[0]).toBe('bytes 3');
    expect(order.filter((entry) => entry.startsWith('line'))).toHaveLength(3); // "\0..\t", "\v..\xff\r", the 0xff run
  });
});

describe('SshChild: the end after the last line', () => {
  const node = process.execPath;

  function runChild(script: string | string[], stdio: 'read' | 'leave'): Promise<{ events: string[]; passed: string; afterExitMs: number }> {
    return new Promise((resolve) => {
      const events: string[] = [];
      let passed = '';
      const child = new SshChild();
      let exitSeenAt = 0;
      child.start(typeof script === 'string' ? [node, '-e', script] : script, {
        onEnd: (end: SshEnd) => {
          events.push(`end ${end.code ?? end.signal}`);
          resolve({ events, passed, afterExitMs: performance.now() - exitSeenAt });
        },
        onError: (message) => events.push(`error ${message}`),
        onStderrLine: stdio === 'read' ? (line) => events.push(`line ${line}`) : null,
        stderrSink: (chunk) => (passed += chunk.toString()),
      });
      exitSeenAt = performance.now();
    });
  }

  it('tells the lines an ssh wrote just before exiting 255 before its end', async () => {
    for (let i = 0; i < 5; i++) {
      const { events, passed } = await runChild(
        `process.stderr.write('Error: remote port forwarding failed for listen port 4022\\n'); process.exit(255)`,
        'read',
      );
      expect(events).toEqual(['line Error: remote port forwarding failed for listen port 4022', 'end 255']);
      expect(passed).toBe('Error: remote port forwarding failed for listen port 4022\n');
    }
  });

  it('holds the end until stderr ends: a line still in flight after the exit comes first', async () => {
    // the exit is certain to be seen first here: the line is written by a child of "ssh" that
    // holds its stderr, 30 ms after "ssh" exited, and then closes it (a shell: it starts in ~1 ms)
    const { events, passed } = await runChild(
      ['/bin/sh', '-c', '(sleep 0.03; echo "Warning: remote port forwarding failed for listen port 9" >&2) & exit 255'],
      'read',
    );
    expect(events).toEqual(['line Warning: remote port forwarding failed for listen port 9', 'end 255']);
    expect(passed).toBe('Warning: remote port forwarding failed for listen port 9\n');
  });

  it('does not wait past the grace for a pipe that a child of ssh holds open', async () => {
    const started = performance.now();
    const { events } = await runChild(
      `require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], { stdio: 'inherit', detached: true }).unref();` +
        `process.stderr.write('bye\\n'); process.exit(3)`,
      'read',
    );
    expect(events).toEqual(['line bye', 'end 3']);
    // the exit is told STDERR_GRACE_MS after it happened, not when the grandchild lets go (3 s)
    expect(performance.now() - started).toBeLessThan(1_500 + STDERR_GRACE_MS);
  });

  it('leaves stderr to ssh itself when no rule reads it', async () => {
    const { events, passed } = await runChild(`process.stderr.write(''); process.exit(0)`, 'leave');
    expect(events).toEqual(['end 0']);
    expect(passed).toBe('');
  });
});
