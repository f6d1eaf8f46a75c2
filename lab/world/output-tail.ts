// The end of what a child process wrote: enough to explain a failure, bounded however much it
// writes. One text for all the streams it follows, in the order chunks arrive; a process
// started again appends to the same tail.
import type { Readable } from 'node:stream';

export class OutputTail {
  private kept = '';

  constructor(private readonly limitChars: number) {}

  /** Keeps what each stream writes from now on. */
  follow(...streams: Array<Readable | null | undefined>): this {
    for (const stream of streams) stream?.on('data', (chunk: Buffer) => this.add(chunk));
    return this;
  }

  /** Keeps one chunk: what the process could not say itself (a spawn error). */
  add(chunk: Buffer): void {
    this.kept = (this.kept + chunk.toString('utf8')).slice(-this.limitChars);
  }

  text(): string {
    return this.kept;
  }
}
