import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'bytes';

/** Survives updates of the toxic, so raising the limit continues from the bytes already sent. */
interface LimitDataState {
  bytesTransmitted: number;
}

/** Lets `bytes` bytes through, then closes the connection. */
class LimitDataStage implements ToxicStage {
  private closed = false;

  constructor(
    private readonly attributes: Attributes<Name>,
    private readonly output: StageOutput,
    private readonly state: LimitDataState,
  ) {}

  write(chunk: Buffer): void {
    if (this.closed) {
      this.output.discard(chunk.length);
      return;
    }
    const remainingBytes = Math.max(0, this.attributes.bytes - this.state.bytesTransmitted);
    const allowed = chunk.subarray(0, remainingBytes);
    if (allowed.length > 0) {
      this.state.bytesTransmitted += allowed.length;
      this.output.push(allowed);
    }
    if (allowed.length < chunk.length) this.output.discard(chunk.length - allowed.length);
    if (this.state.bytesTransmitted >= this.attributes.bytes) {
      this.closed = true;
      this.output.end();
    }
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.output.end();
  }

  interrupt(): void {}
  dispose(): void {}
}

export const limitData: ToxicKind<Name> = {
  type: 'limit_data',
  goStruct: 'LimitDataToxic',
  attributeNames: ['bytes'],
  newState: (): LimitDataState => ({ bytesTransmitted: 0 }),
  createStage: (attributes, output, state) =>
    new LimitDataStage(attributes, output, state as LimitDataState),
};
