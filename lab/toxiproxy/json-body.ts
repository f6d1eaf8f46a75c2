import { ErrBadRequestBody } from './errors.js';

/**
 * Field checks with the complaints Go's encoding/json makes, since Toxiproxy passes those on:
 * an absent or null field keeps its default, a field of the wrong type is a 400 naming the Go
 * struct and the field's path in it, as `json.UnmarshalTypeError` does:
 *   json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64
 * `goStruct` is that prefix: "Proxy", "ToxicWrapper", "LatencyToxic.attributes", or "" for the
 * anonymous struct Toxiproxy decodes a toxic update into.
 */
export type JsonObject = Record<string, unknown>;

export function parseJson(text: string): unknown {
  if (text.trim() === '') throw ErrBadRequestBody.because('EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw ErrBadRequestBody.because((error as Error).message);
  }
}

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  throw ErrBadRequestBody.because(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${what}`);
}

export function stringField(body: JsonObject, field: string, fallback: string, goStruct: string): string {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  throw fieldError(value, goStruct, field, 'string');
}

export function booleanField(body: JsonObject, field: string, fallback: boolean, goStruct: string): boolean {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  throw fieldError(value, goStruct, field, 'bool');
}

export function numberField(body: JsonObject, field: string, fallback: number, goStruct: string): number {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return value;
  throw fieldError(value, goStruct, field, 'float32');
}

/** The largest magnitude Go's int64 holds (as a float, which is what JSON.parse gives us). */
const INT64_LIMIT = 2 ** 63;

export function integerField(body: JsonObject, field: string, fallback: number, goStruct: string, goType: 'int' | 'int64' = 'int64'): number {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < INT64_LIMIT) return value;
  // Go names a number that does not fit by its text: "number 1.5"
  const found = typeof value === 'number' ? `number ${String(value)}` : jsonKind(value);
  throw fieldError(found, goStruct, field, goType, true);
}

function fieldError(value: unknown, goStruct: string, field: string, goType: string, described = false): Error {
  const found = described ? String(value) : jsonKind(value);
  return ErrBadRequestBody.because(`json: cannot unmarshal ${found} into Go struct field ${goStruct}.${field} of type ${goType}`);
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}
