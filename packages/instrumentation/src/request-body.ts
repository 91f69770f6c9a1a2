/**
 * Reads the few request fields we need (`model`, `stream`, `stream_options`, `service_tier`) from a JSON request body
 * without parsing the whole body: prompts can be hundreds of kilobytes, and `JSON.parse` of all of them on every call
 * would cost more than everything else we do. The scanner walks the top-level object only, jumping over strings with
 * `indexOf` and over nested values by bracket depth, and stops as soon as it has every wanted key.
 * Only top-level keys count: a `"model"` inside a message or a tool schema is never mistaken for the request's.
 */

export interface RequestFields {
  model?: string;
  stream?: boolean;
  /** `stream_options.include_usage === true`. */
  includeUsage?: boolean;
  /** The raw `stream_options` value's bounds, to rewrite it when usage capture is on. */
  streamOptions?: { start: number; end: number };
  serviceTier?: string;
  /** Index of the top-level `{`. */
  objectStart?: number;
}

const WANTED_COUNT = 4;

/** Index of the closing quote of the string whose opening quote is at `open`, or -1. */
function stringEnd(s: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = s.indexOf('"', from);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (s.charCodeAt(quote - 1 - backslashes) === 92 /* \ */) backslashes++;
    if ((backslashes & 1) === 0) return quote;
    from = quote + 1;
  }
}

function skipWhitespace(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

/** Index just past the JSON value starting at `i`, or -1 when malformed. */
function valueEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34 /* " */) {
    const end = stringEnd(s, i);
    return end === -1 ? -1 : end + 1;
  }
  if (c === 123 /* { */ || c === 91 /* [ */) {
    let depth = 0;
    const n = s.length;
    for (let j = i; j < n; j++) {
      const d = s.charCodeAt(j);
      if (d === 34) {
        j = stringEnd(s, j);
        if (j === -1) return -1;
      } else if (d === 123 || d === 91) {
        depth++;
      } else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // number, true, false, null
  const n = s.length;
  let j = i;
  while (j < n) {
    const d = s.charCodeAt(j);
    if (d === 44 /* , */ || d === 125 /* } */ || d === 93 /* ] */ || d === 32 || d === 10 || d === 13 || d === 9) break;
    j++;
  }
  return j > i ? j : -1;
}

function decodeString(raw: string): string | undefined {
  if (raw.indexOf('\\') === -1) return raw.slice(1, -1);
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the wanted top-level fields of a JSON object text. Never throws; malformed input yields what was read. */
export function readRequestFields(body: string): RequestFields {
  const fields: RequestFields = {};
  let i = skipWhitespace(body, 0);
  if (body.charCodeAt(i) !== 123 /* { */) return fields;
  fields.objectStart = i;
  i++;
  let found = 0;
  for (;;) {
    i = skipWhitespace(body, i);
    if (body.charCodeAt(i) !== 34) return fields; // `}` or malformed
    const keyEnd = stringEnd(body, i);
    if (keyEnd === -1) return fields;
    const key = body.slice(i + 1, keyEnd);
    i = skipWhitespace(body, keyEnd + 1);
    if (body.charCodeAt(i) !== 58 /* : */) return fields;
    const start = skipWhitespace(body, i + 1);
    const end = valueEnd(body, start);
    if (end === -1) return fields;
    switch (key) {
      case 'model': {
        if (body.charCodeAt(start) === 34) {
          const model = decodeString(body.slice(start, end));
          if (model !== undefined && model !== '') fields.model = model;
        }
        found++;
        break;
      }
      case 'stream':
        fields.stream = body.startsWith('true', start);
        found++;
        break;
      case 'stream_options': {
        fields.streamOptions = { start, end };
        try {
          const options: unknown = JSON.parse(body.slice(start, end));
          fields.includeUsage =
            typeof options === 'object' && options !== null && (options as Record<string, unknown>).include_usage === true;
        } catch {
          // Malformed: leave includeUsage unset.
        }
        found++;
        break;
      }
      case 'service_tier': {
        if (body.charCodeAt(start) === 34) {
          const tier = decodeString(body.slice(start, end));
          if (tier !== undefined && tier !== '') fields.serviceTier = tier;
        }
        found++;
        break;
      }
      default:
        break;
    }
    if (found === WANTED_COUNT) return fields;
    i = skipWhitespace(body, end);
    if (body.charCodeAt(i) !== 44 /* , */) return fields;
    i++;
  }
}

/**
 * The body with `stream_options.include_usage: true` added (the `captureStreamUsage` option), or undefined when it
 * cannot be added safely. Other fields of an existing `stream_options` are kept.
 */
export function withIncludeUsage(body: string, fields: RequestFields): string | undefined {
  if (fields.includeUsage === true || fields.objectStart === undefined) return undefined;
  const options = fields.streamOptions;
  if (options === undefined) {
    const at = fields.objectStart + 1;
    if (body.charCodeAt(skipWhitespace(body, at)) === 125 /* } */) return undefined;
    return `${body.slice(0, at)}"stream_options":{"include_usage":true},${body.slice(at)}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(options.start, options.end));
  } catch {
    return undefined;
  }
  // `include_usage: false` is the application's explicit choice; `null` or a non-object is replaced.
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    if ((parsed as Record<string, unknown>).include_usage === false) return undefined;
    parsed = { ...parsed, include_usage: true };
  } else {
    parsed = { include_usage: true };
  }
  return body.slice(0, options.start) + JSON.stringify(parsed) + body.slice(options.end);
}
