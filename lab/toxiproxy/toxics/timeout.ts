import { monotonicMs, RealTimer } from '../../../src/adapters/clock.js';
import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'timeout';

/**
 * Swallows all data (Toxiproxy drops it, it does not hold it) and closes the connection after
 * `timeout` ms; 0 means never. Removing the toxic closes the connection too (`closesOnRemove`):
 * the peers' protocol state is already broken by the lost bytes, as with real Toxiproxy.
 */
class TimeoutStage implements ToxicStage {
  /** chained: a `timeout` of 24.8 days or more must not fire after a few ms */
  private readonly timer = new RealTimer(() => this.output.end());

  constructor(
    attributes: Attributes<Name>,
    private readonly output: StageOutput,
  ) {
    const timeoutMs = attributes.timeout;
    if (timeoutMs > 0) this.timer.armAt(monotonicMs() + timeoutMs);
  }

  write(chunk: Buffer): void {
    this.output.discard(chunk.length);
  }

  end(): void {
    this.dispose();
    this.output.end();
  }

  interrupt(): void {
    this.dispose();
  }

  dispose(): void {
    this.timer.cancel();
  }
}

export const timeout: ToxicKind<Name> = {
  type: 'timeout',
  goStruct: 'TimeoutToxic',
  attributeNames: ['timeout'],
  closesOnRemove: true,
  createStage: (attributes, output) => new TimeoutStage(attributes, output),
};
