/**
 * Usage from a server-sent-events stream, read without touching most of it.
 *
 * Providers put usage in the last events (OpenAI's `include_usage` chunk, Responses' `response.completed`,
 * Anthropic's `message_delta`, Gemini's last `usageMetadata`) and Anthropic also in the first (`message_start`).
 * So while the stream flows we only keep references to the chunks that may hold the first event and the last few
 * events (no copies, no decoding, no per-chunk allocation beyond an array slot), counting blank lines with the native
 * `indexOf` to know which older chunks can be let go. When the stream ends we decode just those events and
 * `JSON.parse` their `data:` payloads. The application's chunks are never modified or delayed.
 */

/** Complete events read at the end of the stream (usage sits in the last one to three). */
const TAIL_EVENTS = 4;
/** Keep at least this much tail, so that an overcounted blank line never drops the usage event. */
const MIN_TAIL_BYTES = 1024;
/** Older chunks are dropped beyond this even without event boundaries (a misbehaving stream). */
const MAX_TAIL_BYTES = 8 * 1024 * 1024;
/** The first event is given up if it is larger than this. */
const MAX_HEAD_BYTES = 1024 * 1024;

const LF = 10;
const CR = 13;

const decoder = new TextDecoder();

export interface SseEvent {
  event: string | undefined;
  data: string;
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 0) return new Uint8Array(0);
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Where the last `events` complete events start in a list of chunks (just past the blank line before them), as
 * [chunk index, offset]; [0, 0] when the chunks hold fewer. Scans backwards with the native `lastIndexOf`, across
 * chunk boundaries, without joining the chunks.
 */
function tailStart(chunks: readonly Uint8Array[], events: number): [number, number] {
  // The byte `back` positions before (chunk ci, offset pos), or undefined.
  const before = (ci: number, pos: number, back: number): number | undefined => {
    let c = ci;
    let p = pos - back;
    while (p < 0) {
      c--;
      if (c < 0) return undefined;
      p += chunks[c]!.byteLength;
    }
    return chunks[c]![p];
  };
  let boundaries = 0;
  for (let ci = chunks.length - 1; ci >= 0; ci--) {
    const chunk = chunks[ci]!;
    let pos = chunk.lastIndexOf(LF);
    while (pos !== -1) {
      const prev = before(ci, pos, 1);
      if (prev === LF || (prev === CR && before(ci, pos, 2) === LF)) {
        boundaries++;
        if (boundaries > events) return pos + 1 < chunk.byteLength ? [ci, pos + 1] : [ci + 1, 0];
      }
      pos = pos === 0 ? -1 : chunk.lastIndexOf(LF, pos - 1);
    }
  }
  return [0, 0];
}

/** Offset just past the first blank line, or the length when there is none. */
function firstEventEnd(bytes: Uint8Array): number {
  let pos = bytes.indexOf(LF);
  while (pos !== -1) {
    const next = bytes[pos + 1];
    if (next === LF) return pos + 2;
    if (next === CR && bytes[pos + 2] === LF) return pos + 3;
    pos = bytes.indexOf(LF, pos + 1);
  }
  return bytes.byteLength;
}

/**
 * Parses SSE text into events (https://html.spec.whatwg.org/multipage/server-sent-events.html): `data:` lines joined
 * with `\n`, `event:` names, `:` comments ignored, LF / CRLF / CR line ends. A final event without its blank line is
 * kept (some servers and proxies omit it; SDKs accept it too).
 */
export function parseSseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  let data: string | undefined;
  let name: string | undefined;
  const lines = text.split(/\r\n|\r|\n/);
  for (const line of lines) {
    if (line === '') {
      if (data !== undefined) events.push({ event: name, data });
      data = undefined;
      name = undefined;
      continue;
    }
    if (line.charCodeAt(0) === 58 /* : */) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') {
      data = data === undefined ? value : `${data}\n${value}`;
    } else if (field === 'event') {
      name = value;
    }
  }
  if (data !== undefined) events.push({ event: name, data });
  return events;
}

export class SseTail {
  private readonly chunks: Uint8Array[] = [];
  private readonly chunkBoundaries: number[] = [];
  private readonly chunkLengths: number[] = [];
  private boundariesAfterFirst = 0;
  private bytes = 0;
  private truncated = false;
  private head: Uint8Array[] | undefined;
  private headBytes = 0;
  private headOpen: boolean;
  /** 1: the previous chunk ended with LF; 2: with LF CR. */
  private pendingLf = 0;

  /** @param keepFirstEvent also keep the stream's first event (Anthropic `message_start`). */
  constructor(keepFirstEvent: boolean) {
    this.head = keepFirstEvent ? [] : undefined;
    this.headOpen = keepFirstEvent;
  }

  push(chunk: Uint8Array): void {
    const length = chunk.byteLength;
    if (length === 0) return;
    const boundaries = this.countBoundaries(chunk);
    if (this.headOpen) {
      this.head!.push(chunk);
      this.headBytes += length;
      if (boundaries > 0) {
        this.headOpen = false;
      } else if (this.headBytes > MAX_HEAD_BYTES) {
        this.head = undefined;
        this.headOpen = false;
      }
    }
    this.chunks.push(chunk);
    this.chunkBoundaries.push(boundaries);
    this.chunkLengths.push(length);
    this.bytes += length;
    if (this.chunks.length > 1) this.boundariesAfterFirst += boundaries;
    // Let go of the oldest chunk once the newer ones hold enough complete events.
    while (this.chunks.length > 1) {
      const firstLength = this.chunkLengths[0]!;
      const enoughEvents =
        this.boundariesAfterFirst > TAIL_EVENTS && this.bytes - firstLength >= MIN_TAIL_BYTES;
      if (!enoughEvents && this.bytes <= MAX_TAIL_BYTES) break;
      this.chunks.shift();
      this.chunkBoundaries.shift();
      this.chunkLengths.shift();
      this.bytes -= firstLength;
      this.boundariesAfterFirst -= this.chunkBoundaries[0]!;
      this.truncated = true;
    }
  }

  /** Blank lines (event boundaries) in a chunk, including one that straddles the previous chunk's end. */
  private countBoundaries(chunk: Uint8Array): number {
    let count = 0;
    const first = chunk[0];
    if (this.pendingLf === 1) {
      if (first === LF || (first === CR && chunk[1] === LF)) count++;
    } else if (this.pendingLf === 2) {
      if (first === LF) count++;
    }
    let pos = chunk.indexOf(LF);
    while (pos !== -1) {
      const next = chunk[pos + 1];
      if (next === LF || (next === CR && chunk[pos + 2] === LF)) count++;
      pos = chunk.indexOf(LF, pos + 1);
    }
    const n = chunk.byteLength;
    const last = chunk[n - 1];
    this.pendingLf = last === LF ? 1 : last === CR && n >= 2 && chunk[n - 2] === LF ? 2 : 0;
    return count;
  }

  /**
   * The events usage can be read from: the first event (when asked for and not already among the last ones), then
   * the last complete events, in stream order. Empty when a retained chunk was detached or emptied by the consumer
   * (transferred to another thread): better no usage than wrong usage.
   */
  events(): SseEvent[] {
    const chunks = this.chunks;
    for (let i = 0; i < chunks.length; i++) {
      if (chunks[i]!.byteLength !== this.chunkLengths[i]) return [];
    }
    if (chunks.length === 0) return [];
    const [ci, offset] = tailStart(chunks, TAIL_EVENTS);
    const from = ci < chunks.length ? [chunks[ci]!.subarray(offset), ...chunks.slice(ci + 1)] : [];
    let bytes = concat(from, from.reduce((n, c) => n + c.byteLength, 0));
    // A truncated tail that did not reach back to an event boundary starts inside an event: skip to the first one.
    if (this.truncated && ci === 0 && offset === 0) bytes = bytes.subarray(firstEventEnd(bytes));
    const tail = parseSseEvents(decoder.decode(bytes));
    const atStart = !this.truncated && ci === 0 && offset === 0;
    if (this.head === undefined || this.headOpen || atStart) return tail;
    for (const chunk of this.head) if (chunk.byteLength === 0) return tail;
    const headBytes = concat(this.head, this.headBytes);
    const first = parseSseEvents(decoder.decode(headBytes.subarray(0, firstEventEnd(headBytes))))[0];
    return first === undefined ? tail : [first, ...tail];
  }
}
