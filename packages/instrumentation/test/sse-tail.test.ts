/**
 * The SSE tail reader: however a stream is cut into chunks (any byte offsets, LF / CRLF / CR, comments, a missing
 * final blank line), the events it hands back are the stream's first event (when asked) and its last ones, exactly
 * as a full parse of the whole stream sees them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSseEvents, SseTail } from '../src/capture/response/sse-tail.js';
import { splitAt, splitEvery } from '../../../test/support/index.js';

const eventArb = fc.record({
  event: fc.option(fc.constantFrom('message_start', 'message_delta', 'ping', 'response.completed'), { nil: undefined }),
  data: fc.oneof(
    fc.json({ maxDepth: 3 }).map((json) => json.replace(/[\r\n]/g, '')),
    fc.constant('[DONE]'),
    fc.string({ unit: 'grapheme' }).map((s) => `{"text":${JSON.stringify(s)}}`),
  ),
  comment: fc.boolean(),
});

function render(events: { event?: string; data: string; comment: boolean }[], eol: string): string {
  return events
    .map((e) => `${e.comment ? `: keep-alive${eol}` : ''}${e.event ? `event: ${e.event}${eol}` : ''}data: ${e.data}${eol}${eol}`)
    .join('');
}

describe('SseTail', () => {
  it('returns the last events (and the first when asked) for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 60 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.boolean(),
        (events, eol, cuts, keepFirst) => {
          const text = render(events, eol);
          const all = parseSseEvents(text);
          const bytes = Buffer.from(text, 'utf8');
          const tail = new SseTail(keepFirst);
          for (const chunk of splitAt(bytes, cuts.map((c) => c % (bytes.length + 1)))) tail.push(new Uint8Array(chunk));
          const got = tail.events();
          // The last event is always there, and what is returned is a stream-order subsequence ending at the end.
          expect(got.length).toBeGreaterThan(0);
          expect(got[got.length - 1]).toEqual(all[all.length - 1]);
          const lastK = all.slice(all.length - Math.min(all.length, 3));
          expect(got.slice(-lastK.length)).toEqual(lastK);
          if (keepFirst) expect(got[0]).toEqual(all[0]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('returns the same events when a long stream comes in many small chunks (old chunks let go on the way)', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 20, maxLength: 120 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (events, eol, size, keepFirst) => {
          const text = render(events, eol);
          const all = parseSseEvents(text);
          const tail = new SseTail(keepFirst);
          for (const chunk of splitEvery(text, size)) tail.push(new Uint8Array(chunk));
          const got = tail.events();
          const lastK = all.slice(all.length - Math.min(all.length, 4));
          expect(got.slice(-lastK.length)).toEqual(lastK);
          if (keepFirst) expect(got[0]).toEqual(all[0]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps memory bounded on a long stream (old chunks are let go)', () => {
    const tail = new SseTail(true);
    const event = `data: ${JSON.stringify({ pad: 'x'.repeat(1000) })}\n\n`;
    for (let i = 0; i < 10_000; i++) tail.push(new Uint8Array(Buffer.from(event)));
    tail.push(new Uint8Array(Buffer.from('data: {"usage":{"prompt_tokens":1}}\n\n')));
    const events = tail.events();
    expect(events.length).toBeLessThanOrEqual(8);
    expect(events[events.length - 1]!.data).toBe('{"usage":{"prompt_tokens":1}}');
    expect(events[0]!.data).toContain('pad');
  });

  it('gives up rather than misread when the consumer detached a kept chunk', () => {
    const tail = new SseTail(false);
    const chunk = new Uint8Array(Buffer.from('data: {"usage":{"prompt_tokens":1}}\n\n'));
    tail.push(chunk);
    structuredClone(chunk.buffer, { transfer: [chunk.buffer] });
    expect(tail.events()).toEqual([]);
  });

  it('parses CR-only line ends, comments and a final event without its blank line', () => {
    expect(parseSseEvents(': c\revent: a\rdata: 1\rdata: 2\r\rdata: last')).toEqual([
      { event: 'a', data: '1\n2' },
      { event: undefined, data: 'last' },
    ]);
  });
});
