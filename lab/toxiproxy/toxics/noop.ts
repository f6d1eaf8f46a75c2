import type { StageOutput, ToxicKind, ToxicStage } from '../toxic.js';

/** Passes everything through; also what a toxic becomes on a connection its toxicity spared. */
export class NoopStage implements ToxicStage {
  constructor(private readonly output: StageOutput) {}
  write(chunk: Buffer): void {
    this.output.push(chunk);
  }
  end(): void {
    this.output.end();
  }
  interrupt(): void {}
  dispose(): void {}
}

export const noop: ToxicKind<never> = {
  type: 'noop',
  goStruct: 'NoopToxic',
  attributeNames: [],
  createStage: (_attributes, output) => new NoopStage(output),
};
