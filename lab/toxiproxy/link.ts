import type { StageOutput, ToxicConfig, ToxicStage } from './toxic.js';
import { NoopStage } from './toxics/noop.js';

/** Where a link's chain ends: the destination socket, seen through its direction's pipe. */
export interface LinkEnds {
  deliver(chunk: Buffer): void;
  /** The chain is drained and closed: close the destination. */
  finish(): void;
  reset(): void;
  discarded(byteCount: number): void;
}

interface Slot {
  config: ToxicConfig;
  stage: ToxicStage;
  readonly output: StageOutput;
  readonly state: unknown;
  inputEnded: boolean;
  /** The stage closed the direction; whatever still reaches it is dropped. */
  outputEnded: boolean;
  /** Gone from the API but kept in place, because it closed the link on its way out. */
  removed: boolean;
}

/**
 * One direction of one connection: the chain of toxic stages between a source socket and a
 * destination socket (Toxiproxy's ToxicLink). Toxics are added at the end of the chain and can
 * be updated or removed while bytes flow, which is how toxics reach connections already open.
 */
export class ToxicLink {
  private readonly slots: Slot[] = [];
  /** Every stage ever made here, so a dispose also stops the timers of replaced ones. */
  private readonly stages = new Set<ToxicStage>();
  private inputEnded = false;
  private finished = false;
  private disposed = false;

  constructor(
    private readonly ends: LinkEnds,
    chain: readonly ToxicConfig[],
    /** uniform in [0, 1): the toxicity rolls */
    private readonly random: () => number = Math.random,
  ) {
    for (const config of chain) this.addToxic(config);
  }

  write(chunk: Buffer): void {
    if (this.disposed) return;
    this.deliverTo(0, chunk);
  }

  end(): void {
    if (this.disposed || this.inputEnded) return;
    this.inputEnded = true;
    this.endAt(0);
  }

  addToxic(config: ToxicConfig): void {
    if (this.disposed) return;
    const state = config.kind.newState?.();
    const slot: Slot = {
      config,
      stage: undefined as unknown as ToxicStage,
      output: this.outputFor(() => slot),
      state,
      inputEnded: false,
      outputEnded: false,
      removed: false,
    };
    slot.stage = this.createStage(config, slot.output, state);
    this.slots.push(slot);
    // A toxic added after the input ended still sees the end, so the close passes through it.
    const previous = this.slots[this.slots.length - 2];
    const inputAlreadyEnded = previous === undefined ? this.inputEnded : previous.outputEnded;
    if (inputAlreadyEnded && !this.finished) this.endAt(this.slots.length - 1);
  }

  updateToxic(config: ToxicConfig): void {
    const slot = this.findSlot(config.name);
    if (slot === undefined || this.disposed) return;
    // As Toxiproxy does: interrupt the running toxic (it hands over what it holds), then run
    // the new settings with the same per-connection state and a fresh toxicity roll.
    slot.stage.interrupt();
    slot.config = config;
    slot.stage = this.createStage(config, slot.output, slot.state);
    if (slot.inputEnded && !slot.outputEnded) slot.stage.end();
  }

  removeToxic(name: string): void {
    const slot = this.findSlot(name);
    if (slot === undefined || this.disposed) return;
    slot.stage.interrupt();
    if (slot.config.kind.closesOnRemove) {
      slot.removed = true;
      slot.output.end();
      return;
    }
    const index = this.slots.indexOf(slot);
    this.slots.splice(index, 1);
    // The chain closed up: if this slot had passed the end on, the next one already has it too.
    if (slot.inputEnded && !slot.outputEnded) this.endAt(index);
  }

  dispose(): void {
    this.disposed = true;
    for (const stage of this.stages) stage.dispose();
    this.stages.clear();
  }

  private createStage(config: ToxicConfig, output: StageOutput, state: unknown): ToxicStage {
    // Toxicity is rolled per connection and per (re)start of the toxic, as Toxiproxy does.
    const affected = this.random() < config.toxicity;
    const stage = affected ? config.kind.createStage(config.attributes, output, state) : new NoopStage(output);
    this.stages.add(stage);
    return stage;
  }

  private outputFor(slotOf: () => Slot): StageOutput {
    return {
      push: (chunk) => {
        const slot = slotOf();
        const index = this.slots.indexOf(slot);
        if (this.disposed || slot.outputEnded || index < 0) this.ends.discarded(chunk.length);
        else this.deliverTo(index + 1, chunk);
      },
      end: () => {
        const slot = slotOf();
        if (this.disposed || slot.outputEnded) return;
        slot.outputEnded = true;
        const index = this.slots.indexOf(slot);
        if (index >= 0) this.endAt(index + 1);
      },
      reset: () => {
        if (!this.disposed) this.ends.reset();
      },
      discard: (byteCount) => this.ends.discarded(byteCount),
    };
  }

  private findSlot(name: string): Slot | undefined {
    return this.slots.find((slot) => slot.config.name === name && !slot.removed);
  }

  private deliverTo(index: number, chunk: Buffer): void {
    const slot = this.slots[index];
    if (slot === undefined) {
      if (this.finished) this.ends.discarded(chunk.length);
      else this.ends.deliver(chunk);
    } else if (slot.outputEnded || slot.inputEnded) {
      this.ends.discarded(chunk.length);
    } else {
      slot.stage.write(chunk);
    }
  }

  private endAt(index: number): void {
    const slot = this.slots[index];
    if (slot === undefined) {
      if (this.finished) return;
      this.finished = true;
      this.ends.finish();
    } else if (!slot.inputEnded) {
      slot.inputEnded = true;
      if (!slot.outputEnded) slot.stage.end();
    }
  }
}
