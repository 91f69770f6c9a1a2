import { OpenRouterResponseError } from '../errors.js';

/** Readers for OpenRouter's JSON bodies: `{ data: {...} }`, fields checked one by one with a clear error. */

export function dataObject(body: unknown, what: string): Record<string, unknown> {
  const data = (body as { data?: unknown } | null)?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new OpenRouterResponseError(`${what}: expected a JSON object with a "data" object`);
  }
  return data as Record<string, unknown>;
}

export function requiredNumber(data: Record<string, unknown>, field: string, what: string): number {
  const value = data[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OpenRouterResponseError(`${what}: "${field}" must be a number, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}

/** A number, or null when the field is null or absent. Anything else is an error. */
export function nullableNumber(data: Record<string, unknown>, field: string, what: string): number | null {
  const value = data[field];
  if (value === null || value === undefined) return null;
  return requiredNumber(data, field, what);
}

export function optionalString(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  return typeof value === 'string' ? value : '';
}

export function optionalBoolean(data: Record<string, unknown>, field: string): boolean {
  return data[field] === true;
}
