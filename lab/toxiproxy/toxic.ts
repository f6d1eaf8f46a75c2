/**
 * The contract every toxic fulfils, after Toxiproxy's `toxics.Toxic`: a kind (the registered
 * type with its attribute names) makes one stage per connection direction, and a link chains
 * the stages between the two sockets.
 */

/** Toxiproxy's attributes are all integers; names and units follow the real server's JSON. */
export type Attributes<Name extends string = string> = Readonly<Record<Name, number>>;

/** Where a stage sends what it lets through; the link wires it to the next stage or socket. */
export interface StageOutput {
  push(chunk: Buffer): void;
  /** This direction is over: what follows in the chain still drains, then the connection closes. */
  end(): void;
  /** Abort the whole connection with a TCP RST on both sockets. */
  reset(): void;
  /** Bytes swallowed on purpose, so back-pressure accounting does not wait for them forever. */
  discard(byteCount: number): void;
}

/** One toxic acting on one direction of one connection. */
export interface ToxicStage {
  write(chunk: Buffer): void;
  /** The input ended (peer closed, or a stage before this one closed the direction). */
  end(): void;
  /**
   * The toxic is being removed or replaced: hand anything held to the output now, because
   * Toxiproxy never drops data on the floor when a toxic goes away (timeout aside).
   */
  interrupt(): void;
  /** The connection is gone: stop timers, emit nothing. */
  dispose(): void;
}

export interface ToxicKind<Name extends string = string> {
  readonly type: string;
  /** Toxiproxy's Go type for it ("LatencyToxic"): error messages name it */
  readonly goStruct: string;
  /** the Go type of its attributes: int64, except slicer's int */
  readonly attributeGoType?: 'int' | 'int64';
  readonly attributeNames: readonly Name[];
  /** Removing the toxic closes the connections it acted on (Toxiproxy's `CleanupToxic`). */
  readonly closesOnRemove?: boolean;
  /** Per-connection state that survives an update of the toxic (Toxiproxy's `StatefulToxic`). */
  newState?(): unknown;
  createStage(attributes: Attributes<Name>, output: StageOutput, state: unknown): ToxicStage;
}

/** A toxic as the API knows it; immutable, replaced as a whole on update. */
export interface ToxicConfig {
  readonly name: string;
  readonly type: string;
  readonly stream: Stream;
  readonly toxicity: number;
  readonly attributes: Attributes;
  readonly kind: ToxicKind;
}

export type Stream = 'upstream' | 'downstream';
export const STREAMS: readonly Stream[] = ['upstream', 'downstream'];
