import { ErrBadRequestBody } from './errors.js';

/**
 * Field checks with the complaints Go's encoding/json makes, since Toxiproxy passes those on:
 * an absent or null field keeps its default, a field of the wrong type is a 400.
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

export function stringField(body: JsonObject, field: string, fallback: string): string {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  throw fieldError(value, field, 'string');
}

export function booleanField(body: JsonObject, field: string, fallback: boolean): boolean {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  throw fieldError(value, field, 'bool');
}

export function numberField(body: JsonObject, field: string, fallback: number): number {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return value;
  throw fieldError(value, field, 'float32');
}

export function integerField(body: JsonObject, field: string, fallback: number): number {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw fieldError(value, field, 'int64');
}

function fieldError(value: unknown, field: string, goType: string): Error {
  return ErrBadRequestBody.because(`json: cannot unmarshal ${jsonKind(value)} into Go struct field .${field} of type ${goType}`);
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}
