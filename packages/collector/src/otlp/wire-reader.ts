import { OtlpDecodeError } from '../errors.js';
import { StringCache } from './string-cache.js';


/**
 * Node's per-encoding slice methods skip `toString`'s argument handling (measurably faster per string on this hot
 * path; protobufjs uses them the same way). They are not in the type definitions, so fall back when absent.
 */
interface EncodingSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}
const proto = Buffer.prototype as unknown as Partial<EncodingSlices>;
export const slices: EncodingSlices =
  typeof proto.utf8Slice === 'function' && typeof proto.latin1Slice === 'function' && typeof proto.hexSlice === 'function' && typeof proto.base64Slice === 'function'
    ? (proto as EncodingSlices)
    : {
        utf8Slice(this: Buffer, start, end) {
          return this.toString('utf8', start, end);
        },
        latin1Slice(this: Buffer, start, end) {
          return this.toString('latin1', start, end);
        },
        hexSlice(this: Buffer, start, end) {
          return this.toString('hex', start, end);
        },
        base64Slice(this: Buffer, start, end) {
          return this.toString('base64', start, end);
        },
      };

/**
 * A strict protobuf wire-format reader over one Buffer. Every read is bounds-checked against the end of the message
 * being read (not just the buffer), so a length prefix that points past its parent is an error, never a silent
 * truncation. Only the wire types proto3 uses are accepted: groups (3, 4) are rejected, which also rules out the
 * unbounded recursion a skipper for nested groups would need.
 *
 * Wire format: https://protobuf.dev/programming-guides/encoding/
 */
/** Shared by every reader of the process: keys and common values are the same across requests. */
const sharedStrings = new StringCache((buf, start, end) => slices.latin1Slice.call(buf, start, end));

export class WireReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    /** End of the current message (exclusive). Narrowed while reading a nested message. */
    public end = buf.length,
  ) {
    this.pos = start;
  }

  /** A varint that fits in 32 bits (tags, lengths, enums, uint32). Longer varints are read and their high bits dropped. */
  uint32(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated();
      const byte = buf[this.pos++]!;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
      shift += 7;
    }
    throw new OtlpDecodeError('malformed varint (more than 10 bytes)');
  }

  /**
   * A varint as a signed 64-bit integer, returned as a JS number (exact up to 2^53; token counts never come near).
   * Negative int64 values are ten-byte two's-complement varints.
   */
  int64(): number {
    const buf = this.buf;
    let low = 0;
    let high = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated();
      const byte = buf[this.pos++]!;
      const bits = byte & 0x7f;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= (bits & 0x0f) << 28;
        high |= bits >>> 4;
      } else high |= bits << (shift - 32);
      if (byte < 0x80) {
        low >>>= 0;
        if (high & 0x80000000) {
          // two's complement: -(~value + 1)
          const negLow = (~low + 1) >>> 0;
          const negHigh = (~high + (negLow === 0 ? 1 : 0)) >>> 0;
          return -(negHigh * 4294967296 + negLow);
        }
        return (high >>> 0) * 4294967296 + low;
      }
      shift += 7;
    }
    throw new OtlpDecodeError('malformed varint (more than 10 bytes)');
  }

  /** Little-endian 32-bit unsigned (fixed32). */
  fixed32(): number {
    this.need(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  double(): number {
    this.need(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** Reads a length prefix and returns the end offset of the delimited field, checked against the current message. */
  delimitedEnd(): number {
    const length = this.uint32();
    if (length > this.end - this.pos) throw truncated();
    return this.pos + length;
  }

  /**
   * A length-delimited UTF-8 string. Invalid sequences become U+FFFD, as in every protobuf runtime for JS. Short
   * ASCII strings (attribute keys, models, providers, tag values) recur in every span and come from a cache.
   */
  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    if (end === start) return '';
    return sharedStrings.get(this.buf, start, end) ?? slices.utf8Slice.call(this.buf, start, end);
  }

  /** A length-delimited bytes field as lowercase hex (trace and span ids). */
  hex(): string {
    const end = this.delimitedEnd();
    const value = slices.hexSlice.call(this.buf, this.pos, end);
    this.pos = end;
    return value;
  }

  /** A length-delimited bytes field as base64 (the OTLP JSON mapping of `bytes_value` attributes). */
  base64(): string {
    const end = this.delimitedEnd();
    const value = slices.base64Slice.call(this.buf, this.pos, end);
    this.pos = end;
    return value;
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.uint32();
        return;
      case 1:
        this.need(8);
        this.pos += 8;
        return;
      case 2:
        this.pos = this.delimitedEnd();
        return;
      case 5:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new OtlpDecodeError(`unsupported protobuf wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private need(bytes: number): void {
    if (this.end - this.pos < bytes) throw truncated();
  }
}

function truncated(): OtlpDecodeError {
  return new OtlpDecodeError('truncated or malformed protobuf message');
}
