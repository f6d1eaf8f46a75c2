import { monotonicMs, RealTimer } from '../../../src/adapters/clock.js';
import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'timeout';

/**
 * On the first data to arrive, waits `timeout` ms and then resets the connection (RST, not
 * FIN). Nothing happens on an idle connection: Toxiproxy's toxic only wakes on data.
 */
class ResetPeerStage implements ToxicStage {
  private readonly timer = new RealTimer(() => this.output.reset());
  private triggered = false;

  constructor(
    private readonly attributes: Attributes<Name>,
    private readonly output: StageOutput,
  ) {}

  write(chunk: Buffer): void {
    // The triggering chunk and anything after it are lost: the reset discards unsent data.
    this.output.discard(chunk.length);
    if (this.triggered) return;
    this.triggered = true;
    // at least 1 ms, as setTimeout(0) is: the reset never happens inside this write
    this.timer.armAt(monotonicMs() + Math.max(1, this.attributes.timeout));
  }

  end(): void {
    if (!this.triggered) this.output.end();
  }

  /** Once armed, Toxiproxy's reset cannot be interrupted; removing the toxic does not save the connection. */
  interrupt(): void {}

  dispose(): void {
    this.timer.cancel();
  }
}

export const resetPeer: ToxicKind<Name> = {
  type: 'reset_peer',
  goStruct: 'ResetToxic',
  attributeNames: ['timeout'],
  createStage: (attributes, output) => new ResetPeerStage(attributes, output),
};
