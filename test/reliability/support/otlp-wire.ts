/**
 * A tiny writer of the OTLP protobuf wire format (https://protobuf.dev/programming-guides/encoding/, field numbers of
 * opentelemetry-proto trace/v1 and common/v1), so the hostile-request suite can build any message, valid or not:
 * attributes by the million, values nested thousands deep, invalid UTF-8, lengths that lie.
 */
export const WIRE = { varint: 0, fixed64: 1, len: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

export function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}

export function tag(field: number, wire: number): Buffer {
  return varint((field << 3) | wire);
}

/** A length-delimited field. */
export function len(field: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([tag(field, WIRE.len), varint(bytes.length), bytes]);
}

export function fixed64(field: number, value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return Buffer.concat([tag(field, WIRE.fixed64), bytes]);
}

export type AnyValue =
  | { string: string | Buffer }
  | { int: number | bigint }
  | { bool: boolean }
  | { double: number }
  | { array: AnyValue[] }
  | { kvlist: Array<[string, AnyValue]> };

export function anyValue(value: AnyValue): Buffer {
  if ('string' in value) return len(1, value.string);
  if ('bool' in value) return Buffer.concat([tag(2, WIRE.varint), varint(value.bool ? 1 : 0)]);
  if ('int' in value) return Buffer.concat([tag(3, WIRE.varint), varint(value.int)]);
  if ('double' in value) {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value.double);
    return Buffer.concat([tag(4, WIRE.fixed64), bytes]);
  }
  if ('array' in value) return len(5, Buffer.concat(value.array.map((v) => len(1, anyValue(v)))));
  return len(6, Buffer.concat(value.kvlist.map(([k, v]) => len(1, keyValue(k, v)))));
}

/** A `KeyValue` message body (not yet wrapped in its field). */
export function keyValue(key: string | Buffer, value: AnyValue | Buffer): Buffer {
  return Buffer.concat([len(1, key), len(2, Buffer.isBuffer(value) ? value : anyValue(value))]);
}

export interface WireSpan {
  traceId: string;
  spanId: string;
  name: string | Buffer;
  /** Already-encoded `KeyValue` bodies, or pairs to encode. */
  attributes: Array<Buffer | [string, AnyValue]>;
  startMs?: number;
  durationMs?: number;
}

export function span(s: WireSpan): Buffer {
  const start = BigInt(s.startMs ?? Date.now() - 1000) * 1_000_000n;
  const end = start + BigInt(s.durationMs ?? 800) * 1_000_000n;
  return Buffer.concat([
    len(1, Buffer.from(s.traceId, 'hex')),
    len(2, Buffer.from(s.spanId, 'hex')),
    len(5, s.name),
    Buffer.concat([tag(6, WIRE.varint), varint(3)]),
    fixed64(7, start),
    fixed64(8, end),
    ...s.attributes.map((a) => len(9, Buffer.isBuffer(a) ? a : keyValue(a[0], a[1]))),
  ]);
}

/** An `ExportTraceServiceRequest` with one resource (its attributes) and one scope holding `spans`. */
export function traceRequest(spans: Buffer[], resourceAttributes: Array<[string, AnyValue]> = [], scopeName = '@llm-cost/instrumentation'): Buffer {
  const resource = Buffer.concat(resourceAttributes.map(([k, v]) => len(1, keyValue(k, v))));
  const scope = len(1, scopeName);
  const scopeSpans = Buffer.concat([len(1, scope), ...spans.map((s) => len(2, s))]);
  return len(1, Buffer.concat([len(1, resource), len(2, scopeSpans)]));
}

/**
 * An AnyValue nested `levels` deep (`kvlist`: `{ kvlist_value: { values: [{ key: 'level', value: <below> }] } }`;
 * `array`: `{ array_value: { values: [<below>] } }`), around `inner`. Every level is a prefix of the one below, so the
 * lengths are computed from the inside out and the bytes written from the outside in: linear time, one buffer.
 */
export function nestedValue(levels: number, kind: 'kvlist' | 'array', inner: Buffer): Buffer {
  const key = len(1, 'level');
  const prefixes: Buffer[] = [];
  let size = inner.length;
  for (let i = 0; i < levels; i++) {
    let prefix: Buffer;
    if (kind === 'array') {
      // AnyValue.array_value(5) { ArrayValue.values(1) { <below> } }
      const element = Buffer.concat([tag(1, WIRE.len), varint(size)]);
      prefix = Buffer.concat([tag(5, WIRE.len), varint(element.length + size), element]);
    } else {
      // AnyValue.kvlist_value(6) { KeyValueList.values(1) { KeyValue { key(1), value(2): <below> } } }
      const value = Buffer.concat([tag(2, WIRE.len), varint(size)]);
      const kv = Buffer.concat([tag(1, WIRE.len), varint(key.length + value.length + size), key, value]);
      prefix = Buffer.concat([tag(6, WIRE.len), varint(kv.length + size), kv]);
    }
    prefixes.push(prefix);
    size += prefix.length;
  }
  const out = Buffer.alloc(size);
  let at = 0;
  for (let i = prefixes.length - 1; i >= 0; i--) at += prefixes[i]!.copy(out, at);
  inner.copy(out, at);
  return out;
}
