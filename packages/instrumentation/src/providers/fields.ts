/** Defensive readers for untrusted JSON: they return undefined instead of throwing on any shape. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A token count: a non-negative safe integer. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function child(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** Adds `reason` at position `index` of the finish reasons (one per choice / candidate). */
export function addFinishReason(out: { finishReasons?: string[] }, index: unknown, reason: unknown): void {
  const value = text(reason);
  if (value === undefined) return;
  const list = (out.finishReasons ??= []);
  const position = count(index);
  if (position !== undefined && position < 128) {
    list[position] = value;
  } else {
    list.push(value);
  }
}

/** Finish reasons without holes (a choice that has not finished is skipped). */
export function compactReasons(list: string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const compact = list.filter((reason) => typeof reason === 'string');
  return compact.length > 0 ? compact : undefined;
}
