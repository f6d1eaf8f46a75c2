import { QueuedStage } from '../queued-stage.js';
import type { ToxicKind } from '../toxic.js';

type Name = 'rate';

/** Toxiproxy sends large chunks in pieces of 100 ms worth of bytes, so the flow stays smooth. */
const SLICE_MS = 100;

/** Limits throughput to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts); rate <= 0 is unlimited. */
class BandwidthStage extends QueuedStage<Name> {
  write(chunk: Buffer): void {
    const bytesPerMs = this.attributes.rate;
    if (bytesPerMs <= 0) {
      this.queue.enqueue(chunk, this.queue.nextFreeMs());
      return;
    }
    const sliceBytes = bytesPerMs * SLICE_MS;
    for (let offset = 0; offset < chunk.length; offset += sliceBytes) {
      const slice = chunk.subarray(offset, offset + sliceBytes);
      // Each slice leaves once the time to send it at the rate has passed.
      this.queue.enqueue(slice, this.queue.nextFreeMs() + slice.length / bytesPerMs);
    }
  }
}

export const bandwidth: ToxicKind<Name> = {
  type: 'bandwidth',
  goStruct: 'BandwidthToxic',
  attributeNames: ['rate'],
  createStage: (attributes, output) => new BandwidthStage(attributes, output),
};
