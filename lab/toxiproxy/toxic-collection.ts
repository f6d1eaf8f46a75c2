import {
  ErrInvalidStream,
  ErrInvalidToxicType,
  ErrToxicAlreadyExists,
  ErrToxicNotFound,
} from './errors.js';
import { asObject, integerField, numberField, stringField, type JsonObject } from './json-body.js';
import type { ToxicLink } from './link.js';
import { findToxicKind } from './registry.js';
import { STREAMS, type Attributes, type Stream, type ToxicConfig, type ToxicKind } from './toxic.js';

export interface ToxicJson {
  attributes: Attributes;
  name: string;
  type: string;
  stream: Stream;
  toxicity: number;
}

/**
 * A proxy's toxics, one ordered chain per direction (Toxiproxy's ToxicCollection). Every change
 * is pushed to the links of open connections, so toxics act on them at once.
 */
export class ToxicCollection {
  private readonly chains: Record<Stream, ToxicConfig[]> = { upstream: [], downstream: [] };
  private readonly links: Record<Stream, Set<ToxicLink>> = { upstream: new Set(), downstream: new Set() };

  chain(stream: Stream): readonly ToxicConfig[] {
    return [...this.chains[stream]];
  }

  /** Upstream toxics first, then downstream, in the order they were added: Toxiproxy's order. */
  list(): ToxicConfig[] {
    return STREAMS.flatMap((stream) => this.chains[stream]);
  }

  get(name: string): ToxicConfig {
    const found = this.find(name);
    if (found === undefined) throw ErrToxicNotFound;
    return found;
  }

  add(body: unknown): ToxicConfig {
    const input = asObject(body, 'toxics.ToxicWrapper');
    // every field of the wrapper is decoded (and its type checked) before anything else
    const name0 = stringField(input, 'name', '', 'ToxicWrapper');
    const type = stringField(input, 'type', '', 'ToxicWrapper');
    const streamName = stringField(input, 'stream', 'downstream', 'ToxicWrapper');
    const toxicity = numberField(input, 'toxicity', 1, 'ToxicWrapper');
    const stream = parseStream(streamName);
    // The default name uses the stream as written, as Toxiproxy does.
    const name = name0 || `${type}_${streamName}`;
    const kind = findToxicKind(type);
    if (kind === undefined) throw ErrInvalidToxicType;
    if (this.find(name) !== undefined) throw ErrToxicAlreadyExists;
    const attributes = parseAttributes(kind, input.attributes, zeroAttributes(kind));
    const config: ToxicConfig = { name, type, stream, toxicity, attributes, kind };
    this.chains[stream].push(config);
    for (const link of this.links[stream]) link.addToxic(config);
    return config;
  }

  /** Only attributes (merged into the current ones) and toxicity can change, as in Toxiproxy. */
  update(name: string, body: unknown): ToxicConfig {
    const current = this.get(name);
    const input = asObject(body, 'struct { Attributes interface {}; Toxicity float32 }');
    const updated: ToxicConfig = {
      ...current,
      attributes: parseAttributes(current.kind, input.attributes, current.attributes),
      toxicity: numberField(input, 'toxicity', current.toxicity, ''),
    };
    const chain = this.chains[current.stream];
    chain[chain.indexOf(current)] = updated;
    for (const link of this.links[current.stream]) link.updateToxic(updated);
    return updated;
  }

  remove(name: string): void {
    const config = this.get(name);
    const chain = this.chains[config.stream];
    chain.splice(chain.indexOf(config), 1);
    for (const link of this.links[config.stream]) link.removeToxic(name);
  }

  clear(): void {
    for (const config of this.list()) this.remove(config.name);
  }

  attach(stream: Stream, link: ToxicLink): void {
    this.links[stream].add(link);
  }

  detach(stream: Stream, link: ToxicLink): void {
    this.links[stream].delete(link);
  }

  private find(name: string): ToxicConfig | undefined {
    return this.list().find((config) => config.name === name);
  }
}

export function toxicToJson(config: ToxicConfig): ToxicJson {
  const { attributes, name, type, stream, toxicity } = config;
  return { attributes: { ...attributes }, name, type, stream, toxicity };
}

function parseStream(value: string): Stream {
  const stream = STREAMS.find((candidate) => candidate === value.toLowerCase());
  if (stream === undefined) throw ErrInvalidStream;
  return stream;
}

function zeroAttributes(kind: ToxicKind): Attributes {
  return Object.fromEntries(kind.attributeNames.map((name) => [name, 0]));
}

/** Unknown attributes are ignored and missing ones keep their value, as Go's decoder does. */
function parseAttributes(kind: ToxicKind, value: unknown, base: Attributes): Attributes {
  if (value === undefined || value === null) return base;
  const input: JsonObject = asObject(value, `toxics.${kind.goStruct}`);
  const where = `${kind.goStruct}.attributes`;
  return Object.fromEntries(kind.attributeNames.map((name) => [name, integerField(input, name, base[name] ?? 0, where, kind.attributeGoType)]));
}
