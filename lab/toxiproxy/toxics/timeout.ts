import type { Attributes, StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

type Name = 'timeout';

/**
 * Swallows all data (Toxiproxy drops it, it does not hold it) and closes the connection after
 * `timeout` ms; 0 means never. Removing the toxic closes the connection too (`closesOnRemove`):
 * the peers' protocol state is already broken by the lost bytes, as with real Toxiproxy.
 */
class TimeoutStage implements ToxicStage {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    attributes: Attributes<Name>,
    private readonly output: StageOutput,
  ) {
    const timeoutMs = attributes.timeout;
    if (timeoutMs > 0) this.timer = setTimeout(() => this.output.end(), timeoutMs);
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
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export const timeout: ToxicKind<Name> = {
  type: 'timeout',
  attributeNames: ['timeout'],
  closesOnRemove: true,
  createStage: (attributes, output) => new TimeoutStage(attributes, output),
};
