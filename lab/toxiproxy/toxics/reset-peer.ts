import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'timeout';

/**
 * On the first data to arrive, waits `timeout` ms and then resets the connection (RST, not
 * FIN). Nothing happens on an idle connection: Toxiproxy's toxic only wakes on data.
 */
class ResetPeerStage implements ToxicStage {
  private timer: NodeJS.Timeout | undefined;
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
    this.timer = setTimeout(() => this.output.reset(), Math.max(0, this.attributes.timeout));
  }

  end(): void {
    if (!this.triggered) this.output.end();
  }

  /** Once armed, Toxiproxy's reset cannot be interrupted; removing the toxic does not save the connection. */
  interrupt(): void {}

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export const resetPeer: ToxicKind<Name> = {
  type: 'reset_peer',
  attributeNames: ['timeout'],
  createStage: (attributes, output) => new ResetPeerStage(attributes, output),
};
