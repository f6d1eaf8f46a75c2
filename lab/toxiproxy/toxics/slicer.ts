import { QueuedStage } from '../queued-stage.js';
import type { ToxicKind } from '../toxic.js';

type Name = 'average_size' | 'size_variation' | 'delay';

/**
 * Cuts each chunk into pieces of about `average_size` ± `size_variation` bytes and waits
 * `delay` MICROseconds after each piece, like TCP segments trickling in.
 */
class SlicerStage extends QueuedStage<Name> {
  write(chunk: Buffer): void {
    const delayMs = Math.max(0, this.attributes.delay) / 1000;
    const offsets = this.cutPoints(0, chunk.length);
    for (let i = 1; i < offsets.length; i++) {
      const releaseAtMs = this.queue.nextFreeMs();
      this.queue.enqueue(chunk.subarray(offsets[i - 1]!, offsets[i]!), releaseAtMs);
      // The wait follows the piece, so the next piece (of this chunk or the next) waits for it.
      this.queue.reserveUntil(releaseAtMs + delayMs);
    }
  }

  /**
   * Toxiproxy's recursive halving: split near the middle (± variation) until a piece is within
   * the variation of the average size, which avoids a small leftover piece at either end.
   */
  private cutPoints(start: number, end: number): number[] {
    const averageBytes = Math.max(1, this.attributes.average_size);
    const variationBytes = Math.max(0, this.attributes.size_variation);
    if (end - start - averageBytes <= variationBytes) return [start, end];
    const offset = variationBytes > 0 ? Math.floor(Math.random() * 2 * variationBytes) - variationBytes : 0;
    const middle = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + offset));
    return [...this.cutPoints(start, middle), ...this.cutPoints(middle, end).slice(1)];
  }
}

export const slicer: ToxicKind<Name> = {
  type: 'slicer',
  goStruct: 'SlicerToxic',
  attributeGoType: 'int',
  attributeNames: ['average_size', 'size_variation', 'delay'],
  createStage: (attributes, output) => new SlicerStage(attributes, output),
};
