import { monotonicMs, RealTimer } from '../../../src/adapters/clock.js';
import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'delay';

/** Data passes untouched; the close is held back by `delay` ms. */
class SlowCloseStage implements ToxicStage {
  private readonly timer = new RealTimer(() => this.closeNow());
  private closing = false;

  constructor(
    private readonly attributes: Attributes<Name>,
    private readonly output: StageOutput,
  ) {}

  write(chunk: Buffer): void {
    this.output.push(chunk);
  }

  end(): void {
    this.closing = true;
    // at least 1 ms, as setTimeout(0) is: the close never happens inside this call
    this.timer.armAt(monotonicMs() + Math.max(1, this.attributes.delay));
  }

  interrupt(): void {
    if (this.closing) this.closeNow();
  }

  dispose(): void {
    this.timer.cancel();
    this.closing = false;
  }

  private closeNow(): void {
    this.dispose();
    this.output.end();
  }
}

export const slowClose: ToxicKind<Name> = {
  type: 'slow_close',
  goStruct: 'SlowCloseToxic',
  attributeNames: ['delay'],
  createStage: (attributes, output) => new SlowCloseStage(attributes, output),
};
