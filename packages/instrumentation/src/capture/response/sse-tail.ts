/**
 * Usage from a server-sent-events stream, read without touching most of it.
 *
 * Providers put usage in the last events (OpenAI's `include_usage` chunk, Responses' `response.completed`,
 * Anthropic's `message_delta`, Gemini's last `usageMetadata`) and Anthropic also in the first (`message_start`).
 * So while the stream flows we only keep references to its chunks (no copies, no decoding, no scanning: one array slot
 * per chunk), and every `COMPACT_EVERY` chunks let go of those before the last few events, found by scanning back
 * from the newest chunk with the native `lastIndexOf` (a few chunks' worth of work, amortized over many). The first
 * event, when wanted, is kept aside while the stream starts. When the stream ends we decode just the kept events and
 * `JSON.parse` their `data:` payloads. The application's chunks are never modified or delayed.
 */
import { StringDecoder } from 'node:string_decoder';

/** Complete events read at the end of the stream (usage sits in the last one to three). */
const TAIL_EVENTS = 4;
/** Keep at least this much tail, so that an overcounted blank line never drops the usage event. */
const MIN_TAIL_BYTES = 1024;
/** Older chunks are dropped beyond this even without event boundaries (a misbehaving stream). */
const MAX_TAIL_BYTES = 8 * 1024 * 1024;
/** The first event is given up if it is larger than this. */
const MAX_HEAD_BYTES = 1024 * 1024;
/** Chunks pushed between two compactions (memory held: this many references beyond the tail). */
const COMPACT_EVERY = 32;

const LF = 10;
const CR = 13;

const decoder = new TextDecoder();

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * The text of `chunks[from]` (from byte `offset`) to the last chunk, decoded chunk by chunk (`StringDecoder` joins a
 * character split across chunks). No joined byte array is made: a fresh `Uint8Array` per stream end was measured,
 * under the OpenAI SDK's own buffer churn, to cost ~20 µs in allocation and collection.
 */
function decodeFrom(chunks: readonly Uint8Array[], from: number, offset: number): string {
  if (from >= chunks.length) return '';
  const first = offset > 0 ? chunks[from]!.subarray(offset) : chunks[from]!;
  if (from === chunks.length - 1) return decoder.decode(first);
  const utf8 = new StringDecoder('utf8');
  let text = utf8.write(first);
  for (let i = from + 1; i < chunks.length; i++) text += utf8.write(chunks[i]!);
  return text + utf8.end();
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

/** Index just past the first blank line (LF LF or LF CR LF), or the length when there is none. */
function firstEventEnd(text: string): number {
  let pos = text.indexOf('\n');
  while (pos !== -1) {
    const next = text.charCodeAt(pos + 1);
    if (next === LF) return pos + 2;
    if (next === CR && text.charCodeAt(pos + 2) === LF) return pos + 3;
    pos = text.indexOf('\n', pos + 1);
  }
  return text.length;
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
  private chunks: Uint8Array[] = [];
  /** Sum of the kept chunks' lengths as they were pushed (a different sum later means the consumer detached one). */
  private bytes = 0;
  private compactAt = COMPACT_EVERY;
  private truncated = false;
  private head: Uint8Array[] | undefined;
  private headBytes = 0;
  private headOpen: boolean;
  /** While the head is open: the last two bytes seen before the current chunk. */
  private last1: number | undefined;
  private last2: number | undefined;

  /** @param keepFirstEvent also keep the stream's first event (Anthropic `message_start`). */
  constructor(keepFirstEvent: boolean) {
    this.head = keepFirstEvent ? [] : undefined;
    this.headOpen = keepFirstEvent;
  }

  /** Called for every chunk the application reads: keeps a reference, nothing else (amortized). */
  push(chunk: Uint8Array): void {
    const length = chunk.byteLength;
    if (length === 0) return;
    if (this.headOpen) this.pushHead(chunk);
    this.bytes += length;
    if (this.chunks.push(chunk) >= this.compactAt || this.bytes > MAX_TAIL_BYTES) this.compact();
  }

  private pushHead(chunk: Uint8Array): void {
    this.head!.push(chunk);
    this.headBytes += chunk.byteLength;
    if (this.endsFirstEvent(chunk)) {
      this.headOpen = false;
    } else if (this.headBytes > MAX_HEAD_BYTES) {
      this.head = undefined;
      this.headOpen = false;
    }
  }

  /**
   * Whether a chunk holds a blank line (the end of the first event): an LF right after an LF, or after CR LF, also
   * when those bytes came in earlier chunks (a stream may arrive a byte at a time).
   */
  private endsFirstEvent(chunk: Uint8Array): boolean {
    let pos = chunk.indexOf(LF);
    while (pos !== -1) {
      const p1 = pos >= 1 ? chunk[pos - 1] : this.last1;
      const p2 = pos >= 2 ? chunk[pos - 2] : pos === 1 ? this.last1 : this.last2;
      if (p1 === LF || (p1 === CR && p2 === LF)) return true;
      pos = chunk.indexOf(LF, pos + 1);
    }
    const n = chunk.byteLength;
    this.last2 = n >= 2 ? chunk[n - 2] : this.last1;
    this.last1 = chunk[n - 1];
    return false;
  }

  /**
   * Lets go of the chunks before the last `TAIL_EVENTS + 1` complete events (one more than `events()` reads, so the
   * kept chunks always show the boundary before the events it reads; and at least `MIN_TAIL_BYTES`, so an overcounted
   * blank line never drops the usage event). A stream that exceeds `MAX_TAIL_BYTES` without enough event
   * boundaries (a misbehaving one) loses its oldest chunks down to half that, so this stays amortized.
   */
  private compact(): void {
    const chunks = this.chunks;
    let drop = 0;
    let kept = this.bytes;
    if (kept > MAX_TAIL_BYTES) {
      while (drop < chunks.length - 1 && kept > MAX_TAIL_BYTES / 2) kept -= chunks[drop++]!.byteLength;
    } else {
      const [ci] = tailStart(chunks, TAIL_EVENTS + 1);
      for (let i = 0; i < ci; i++) kept -= chunks[i]!.byteLength;
      drop = ci;
      while (drop > 0 && kept < MIN_TAIL_BYTES) kept += chunks[--drop]!.byteLength;
    }
    if (drop > 0) {
      this.chunks = chunks.slice(drop);
      this.bytes = kept;
      this.truncated = true;
    }
    this.compactAt = this.chunks.length + COMPACT_EVERY;
  }

  /**
   * The events usage can be read from: the first event (when asked for and not already among the last ones), then
   * the last complete events, in stream order. Empty when a retained chunk was detached or emptied by the consumer
   * (transferred to another thread): better no usage than wrong usage.
   */
  events(): SseEvent[] {
    const chunks = this.chunks;
    let total = 0;
    for (const chunk of chunks) total += chunk.byteLength;
    if (total !== this.bytes || chunks.length === 0) return [];
    const [ci, offset] = tailStart(chunks, TAIL_EVENTS);
    let text = decodeFrom(chunks, ci, offset);
    // A truncated tail that did not reach back to an event boundary starts inside an event: skip to the first one.
    if (this.truncated && ci === 0 && offset === 0) text = text.slice(firstEventEnd(text));
    const tail = parseSseEvents(text);
    const atStart = !this.truncated && ci === 0 && offset === 0;
    if (this.head === undefined || this.headOpen || atStart) return tail;
    for (const chunk of this.head) if (chunk.byteLength === 0) return tail;
    const headText = decodeFrom(this.head, 0, 0);
    const first = parseSseEvents(headText.slice(0, firstEventEnd(headText)))[0];
    return first === undefined ? tail : [first, ...tail];
  }
}
