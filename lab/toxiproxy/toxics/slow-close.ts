import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'delay';

/** Data passes untouched; the close is held back by `delay` ms. */
class SlowCloseStage implements ToxicStage {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly attributes: Attributes<Name>,
    private readonly output: StageOutput,
  ) {}

  write(chunk: Buffer): void {
    this.output.push(chunk);
  }

  end(): void {
    this.timer = setTimeout(() => this.closeNow(), Math.max(0, this.attributes.delay));
  }

  interrupt(): void {
    if (this.timer !== undefined) this.closeNow();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private closeNow(): void {
    this.dispose();
    this.output.end();
  }
}

export const slowClose: ToxicKind<Name> = {
  type: 'slow_close',
  attributeNames: ['delay'],
  createStage: (attributes, output) => new SlowCloseStage(attributes, output),
};
