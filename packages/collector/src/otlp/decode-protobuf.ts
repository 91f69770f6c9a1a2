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
import { hrTimeFromFixed64 } from './time.js';
import { WireReader } from './wire-reader.js';

/*
 * Decoder for the binary protobuf encoding of `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`
 * (https://github.com/open-telemetry/opentelemetry-proto, trace/v1/trace.proto, common/v1/common.proto). It reads the
 * fields the pricing pipeline needs straight into `OtlpSpan` objects and skips the rest (events, links, trace state,
 * schema URLs, dropped counts) without allocating. Field numbers below are those of the public schema.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Marks an attribute value that the limits (or an empty AnyValue) dropped. */
const DROPPED = Symbol('dropped');
type Decoded = AttributeValue | null | typeof DROPPED;

interface Context {
  readonly r: WireReader;
  readonly limits: DecodeLimits;
  readonly result: DecodedTraceRequest;
}

/**
 * Decodes an OTLP/HTTP binary protobuf body. Throws `OtlpDecodeError` when the body is not a well-formed message
 * (answered with 400); spans with invalid ids are counted in `rejectedSpans` instead.
 */
export function decodeTraceRequestProtobuf(
  body: Buffer,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedTraceRequest {
  const ctx: Context = { r: new WireReader(body), limits, result: emptyResult() };
  const { r } = ctx;
  while (r.pos < r.end) {
    const tag = r.uint32();
    // ExportTraceServiceRequest.resource_spans = 1
    if (tag === ((1 << 3) | WIRE_LEN)) readMessage(r, () => readResourceSpans(ctx));
    else skipField(r, tag);
  }
  return ctx.result;
}

/** Reads a length-delimited sub-message with `body`, confining reads to its bytes. */
function readMessage(r: WireReader, body: () => void): void {
  const end = r.delimitedEnd();
  const outerEnd = r.end;
  r.end = end;
  body();
  r.pos = end;
  r.end = outerEnd;
}

function skipField(r: WireReader, tag: number): void {
  if (tag >>> 3 === 0) throw new OtlpDecodeError('invalid protobuf field number 0');
  r.skip(tag & 7);
}

function readResourceSpans(ctx: Context): void {
  const { r } = ctx;
  // Fields may arrive in any order; spans point at the resource object, which is filled in whenever it is read.
  const resource: OtlpResource = { attributes: {} };
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) readMessage(r, () => readResource(ctx, resource));
    else if (tag === ((2 << 3) | WIRE_LEN)) readMessage(r, () => readScopeSpans(ctx, resource));
    else skipField(r, tag);
  }
}

function readResource(ctx: Context, resource: OtlpResource): void {
  const { r } = ctx;
  const sink = sinkFor(resource.attributes);
  while (r.pos < r.end) {
    const tag = r.uint32();
    // Resource.attributes = 1
    if (tag === ((1 << 3) | WIRE_LEN)) readKeyValue(ctx, sink, 0);
    else skipField(r, tag);
  }
}

function readScopeSpans(ctx: Context, resource: OtlpResource): void {
  const { r } = ctx;
  const scope: OtlpScope = { name: '', version: undefined };
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) readMessage(r, () => readScope(r, scope));
    else if (tag === ((2 << 3) | WIRE_LEN)) readSpan(ctx, resource, scope);
    else skipField(r, tag);
  }
}

function readScope(r: WireReader, scope: OtlpScope): void {
  while (r.pos < r.end) {
    const tag = r.uint32();
    // InstrumentationScope.name = 1, version = 2 (scope attributes are not needed for pricing)
    if (tag === ((1 << 3) | WIRE_LEN)) scope.name = r.string();
    else if (tag === ((2 << 3) | WIRE_LEN)) scope.version = r.string();
    else skipField(r, tag);
  }
}

/** Reads one length-delimited `Span` (hot path: no closures, one object per span plus its attribute map). */
function readSpan(ctx: Context, resource: OtlpResource, scope: OtlpScope): void {
  const { r } = ctx;
  const end = r.delimitedEnd();
  const outerEnd = r.end;
  r.end = end;
  const span: OtlpSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: undefined,
    name: '',
    kind: 0,
    startTime: [0, 0],
    endTime: [0, 0],
    attributes: {},
    status: { code: 0, message: undefined },
    resource,
    scope,
  };
  const attributes = sinkFor(span.attributes);
  let parent: string | undefined;
  while (r.pos < r.end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | WIRE_LEN:
        span.traceId = r.hex();
        break;
      case (2 << 3) | WIRE_LEN:
        span.spanId = r.hex();
        break;
      case (4 << 3) | WIRE_LEN:
        parent = r.hex();
        break;
      case (5 << 3) | WIRE_LEN:
        span.name = r.string();
        break;
      case (6 << 3) | WIRE_VARINT:
        span.kind = normaliseKind(r.uint32());
        break;
      case (7 << 3) | WIRE_FIXED64: {
        const low = r.fixed32();
        span.startTime = hrTimeFromFixed64(low, r.fixed32());
        break;
      }
      case (8 << 3) | WIRE_FIXED64: {
        const low = r.fixed32();
        span.endTime = hrTimeFromFixed64(low, r.fixed32());
        break;
      }
      case (9 << 3) | WIRE_LEN:
        readKeyValue(ctx, attributes, 0);
        break;
      case (15 << 3) | WIRE_LEN:
        readMessage(r, () => readStatus(r, span));
        break;
      default:
        skipField(r, tag);
    }
  }
  r.pos = end;
  r.end = outerEnd;
  span.parentSpanId = normaliseParentSpanId(parent);
  acceptSpan(ctx.result, span);
}

function readStatus(r: WireReader, span: OtlpSpan): void {
  while (r.pos < r.end) {
    const tag = r.uint32();
    // Status.message = 2, code = 3 (field 1 is reserved)
    if (tag === ((2 << 3) | WIRE_LEN)) span.status.message = r.string();
    else if (tag === ((3 << 3) | WIRE_VARINT)) span.status.code = normaliseStatusCode(r.uint32());
    else skipField(r, tag);
  }
}

/** An attribute map being filled, with its size kept alongside so the limit check is O(1). */
interface AttributeSink {
  readonly target: Attributes;
  count: number;
}

function sinkFor(target: Attributes): AttributeSink {
  return { target, count: 0 };
}

/** Reads one length-delimited `KeyValue` into `sink`, applying the attribute limits. */
function readKeyValue(ctx: Context, sink: AttributeSink, depth: number): void {
  const { r, limits } = ctx;
  const end = r.delimitedEnd();
  const outerEnd = r.end;
  r.end = end;
  let key: string | undefined;
  let value: Decoded = DROPPED;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) key = r.string();
    else if (tag === ((2 << 3) | WIRE_LEN)) value = readAnyValueField(ctx, depth);
    else skipField(r, tag);
  }
  r.pos = end;
  r.end = outerEnd;
  // `__proto__` as a plain-object key would replace the map's prototype.
  if (key === undefined || key === '__proto__') return;
  // Keys are unique per the OTLP schema; a repeated key overwrites and still counts toward the limit.
  if (value === DROPPED || value === null || sink.count >= limits.maxAttributes) {
    ctx.result.droppedAttributes++;
    return;
  }
  sink.count++;
  sink.target[key] = value;
}

/** Reads a length-delimited `AnyValue`, dropping it unread when it is over the size or depth limit. */
function readAnyValueField(ctx: Context, depth: number): Decoded {
  const { r, limits } = ctx;
  const end = r.delimitedEnd();
  if (end - r.pos > limits.maxAttributeValueBytes + 16 || depth > limits.maxValueDepth) {
    r.pos = end;
    return DROPPED;
  }
  const outerEnd = r.end;
  r.end = end;
  let value: Decoded = null;
  while (r.pos < r.end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | WIRE_LEN:
        value = r.string();
        break;
      case (2 << 3) | WIRE_VARINT:
        value = r.uint32() !== 0;
        break;
      case (3 << 3) | WIRE_VARINT:
        value = r.int64();
        break;
      case (4 << 3) | WIRE_FIXED64:
        value = r.double();
        break;
      case (5 << 3) | WIRE_LEN:
        value = readArrayValue(ctx, depth + 1);
        break;
      case (6 << 3) | WIRE_LEN:
        value = readKeyValueList(ctx, depth + 1);
        break;
      case (7 << 3) | WIRE_LEN:
        value = r.base64();
        break;
      default:
        skipField(r, tag);
    }
  }
  r.pos = end;
  r.end = outerEnd;
  return value;
}

function readArrayValue(ctx: Context, depth: number): Decoded {
  const { r } = ctx;
  const values: Array<string | number | boolean | null> = [];
  let dropped = false;
  readMessage(r, () => {
    while (r.pos < r.end) {
      const tag = r.uint32();
      if (tag !== ((1 << 3) | WIRE_LEN)) {
        skipField(r, tag);
        continue;
      }
      const element = readAnyValueField(ctx, depth);
      if (element === DROPPED) dropped = true;
      else if (values.length >= ctx.limits.maxAttributes) dropped = true;
      else values.push(element === null || typeof element !== 'object' ? element : JSON.stringify(element));
    }
  });
  return dropped ? DROPPED : values;
}

/** A nested key-value list has no OpenTelemetry JS attribute form; it is kept as its JSON text. */
function readKeyValueList(ctx: Context, depth: number): Decoded {
  const { r } = ctx;
  const entries: Attributes = {};
  const sink = sinkFor(entries);
  const droppedBefore = ctx.result.droppedAttributes;
  readMessage(r, () => {
    while (r.pos < r.end) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | WIRE_LEN)) readKeyValue(ctx, sink, depth);
      else skipField(r, tag);
    }
  });
  if (ctx.result.droppedAttributes !== droppedBefore) return DROPPED;
  return JSON.stringify(entries);
}
