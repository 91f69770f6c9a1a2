import { OtlpDecodeError } from '../errors.js';
import {
  DEFAULT_DECODE_LIMITS,
  type AttributeValue,
  type Attributes,
  type DecodeLimits,
  type DecodedTraceRequest,
  type OtlpResource,
  type OtlpScope,
  type OtlpSpan,
} from '../span.js';
import { acceptSpan, emptyResult, normaliseKind, normaliseParentSpanId, normaliseStatusCode } from './span-validation.js';
import { hrTimeFromJson } from './time.js';

/*
 * Decoder for the OTLP JSON encoding (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): the proto3
 * JSON mapping with lowerCamelCase keys, trace and span ids as hex, enums as integers and 64-bit integers as decimal
 * strings (numbers accepted). Unknown fields are ignored, as the specification requires. Two leniencies for senders
 * that follow the plain proto3 mapping instead: snake_case keys and base64 ids are read too.
 */

type Json = Record<string, unknown>;

const DROPPED = Symbol('dropped');
type Decoded = AttributeValue | null | typeof DROPPED;

interface Context {
  readonly limits: DecodeLimits;
  readonly result: DecodedTraceRequest;
}

/** Decodes an OTLP/HTTP JSON body (UTF-8 text). Throws `OtlpDecodeError` for anything that is not an OTLP request. */
export function decodeTraceRequestJson(
  body: Buffer | string,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedTraceRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new OtlpDecodeError('body is not valid JSON');
  }
  if (!isObject(parsed)) throw new OtlpDecodeError('body must be a JSON object (ExportTraceServiceRequest)');
  const ctx: Context = { limits, result: emptyResult() };
  for (const resourceSpans of list(field(parsed, 'resourceSpans', 'resource_spans'), 'resourceSpans')) {
    readResourceSpans(ctx, object(resourceSpans, 'resourceSpans[]'));
  }
  return ctx.result;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(obj: Json, camel: string, snake: string): unknown {
  const value = obj[camel];
  return value === undefined ? obj[snake] : value;
}

function list(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${name} must be an array`);
  return value;
}

function object(value: unknown, name: string): Json {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new OtlpDecodeError(`${name} must be an object`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OtlpDecodeError(`${name} must be a string`);
  return value;
}

function integer(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new OtlpDecodeError(`${name} must be an integer`);
  return n;
}

function readResourceSpans(ctx: Context, json: Json): void {
  const resource: OtlpResource = { attributes: {} };
  readAttributes(ctx, field(object(json.resource, 'resource'), 'attributes', 'attributes'), resource.attributes, 0);
  for (const scopeSpans of list(field(json, 'scopeSpans', 'scope_spans'), 'scopeSpans')) {
    const scopeJson = object(scopeSpans, 'scopeSpans[]');
    const scopeInfo = object(scopeJson.scope, 'scope');
    const scope: OtlpScope = {
      name: optionalString(scopeInfo.name, 'scope.name') ?? '',
      version: optionalString(scopeInfo.version, 'scope.version'),
    };
    for (const span of list(scopeJson.spans, 'spans')) readSpan(ctx, object(span, 'spans[]'), resource, scope);
  }
}

function readSpan(ctx: Context, json: Json, resource: OtlpResource, scope: OtlpScope): void {
  const status = object(json.status, 'status');
  const span: OtlpSpan = {
    traceId: id(field(json, 'traceId', 'trace_id'), 16),
    spanId: id(field(json, 'spanId', 'span_id'), 8),
    parentSpanId: normaliseParentSpanId(id(field(json, 'parentSpanId', 'parent_span_id'), 8)),
    name: optionalString(json.name, 'name') ?? '',
    kind: normaliseKind(integer(json.kind, 'kind')),
    startTime: hrTimeFromJson(field(json, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endTime: hrTimeFromJson(field(json, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    attributes: {},
    status: { code: normaliseStatusCode(integer(status.code, 'status.code')), message: optionalString(status.message, 'status.message') },
    resource,
    scope,
  };
  readAttributes(ctx, json.attributes, span.attributes, 0);
  acceptSpan(ctx.result, span);
}

const HEX = /^[0-9a-fA-F]*$/;

/** Ids are hex per OTLP JSON; a base64 id of the right length (plain proto3 mapping) is converted. */
function id(value: unknown, bytes: number): string {
  if (typeof value !== 'string' || value === '') return '';
  if (value.length === bytes * 2 && HEX.test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === bytes ? decoded.toString('hex') : value.slice(0, 64);
}

function readAttributes(ctx: Context, value: unknown, target: Attributes, depth: number): void {
  let count = 0;
  for (const entry of list(value, 'attributes')) {
    if (!isObject(entry) || typeof entry.key !== 'string') {
      ctx.result.droppedAttributes++;
      continue;
    }
    const key = entry.key;
    if (key === '__proto__') continue;
    const decoded = anyValue(ctx, entry.value, depth);
    const isNew = !Object.prototype.hasOwnProperty.call(target, key);
    if (decoded === DROPPED || decoded === null || (isNew && count >= ctx.limits.maxAttributes)) {
      ctx.result.droppedAttributes++;
      continue;
    }
    if (isNew) count++;
    target[key] = decoded;
  }
}

function anyValue(ctx: Context, value: unknown, depth: number): Decoded {
  if (!isObject(value)) return null;
  const { limits } = ctx;
  if (depth > limits.maxValueDepth) return DROPPED;
  const string = field(value, 'stringValue', 'string_value');
  if (string !== undefined) {
    if (typeof string !== 'string') return DROPPED;
    return string.length > limits.maxAttributeValueBytes ? DROPPED : string;
  }
  const bool = field(value, 'boolValue', 'bool_value');
  if (bool !== undefined) return typeof bool === 'boolean' ? bool : DROPPED;
  const int = field(value, 'intValue', 'int_value');
  if (int !== undefined) {
    const n = typeof int === 'string' && /^-?\d{1,20}$/.test(int) ? Number(int) : int;
    return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : DROPPED;
  }
  const double = field(value, 'doubleValue', 'double_value');
  if (double !== undefined) {
    // proto3 JSON writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity".
    const n = typeof double === 'string' ? Number(double) : double;
    return typeof n === 'number' && (Number.isFinite(n) || typeof double === 'string') ? n : DROPPED;
  }
  const array = field(value, 'arrayValue', 'array_value');
  if (array !== undefined) return arrayValue(ctx, array, depth + 1);
  const kvlist = field(value, 'kvlistValue', 'kvlist_value');
  if (kvlist !== undefined) {
    if (!isObject(kvlist)) return DROPPED;
    const entries: Attributes = {};
    const droppedBefore = ctx.result.droppedAttributes;
    readAttributes(ctx, kvlist.values, entries, depth + 1);
    return ctx.result.droppedAttributes === droppedBefore ? JSON.stringify(entries) : DROPPED;
  }
  const bytes = field(value, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) {
    return typeof bytes === 'string' && bytes.length <= limits.maxAttributeValueBytes ? bytes : DROPPED;
  }
  return null;
}

function arrayValue(ctx: Context, array: unknown, depth: number): Decoded {
  if (!isObject(array)) return DROPPED;
  const values = array.values;
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values) || values.length > ctx.limits.maxAttributes) return DROPPED;
  const out: Array<string | number | boolean | null> = [];
  for (const element of values) {
    const decoded = anyValue(ctx, element, depth);
    if (decoded === DROPPED) return DROPPED;
    out.push(decoded === null || typeof decoded !== 'object' ? decoded : JSON.stringify(decoded));
  }
  return out;
}
