/**
 * The request-body scanner reads top-level fields without parsing the whole prompt; for any JSON object it must
 * agree with JSON.parse, and the include_usage rewrite must produce the same object plus that one field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRequestFields, withIncludeUsage } from '../src/request-body.js';

const value = fc.jsonValue({ maxDepth: 4 });
/** Objects whose top level may carry the wanted keys, nested decoys included. */
const requestObject = fc.record(
  {
    model: fc.oneof(fc.string(), value),
    stream: fc.oneof(fc.boolean(), value),
    stream_options: fc.oneof(fc.record({ include_usage: fc.oneof(fc.boolean(), value) }, { requiredKeys: [] }), value),
    service_tier: fc.oneof(fc.constantFrom('flex', 'priority', 'default'), value),
    messages: fc.array(fc.record({ role: fc.string(), content: fc.string(), model: fc.string() })),
    metadata: fc.dictionary(fc.constantFrom('model', 'stream', 'x'), value),
    other: value,
  },
  { requiredKeys: [] },
);

function expectedFields(object: Record<string, unknown>) {
  const options = object.stream_options;
  return {
    model: typeof object.model === 'string' && object.model !== '' ? object.model : undefined,
    stream: 'stream' in object ? object.stream === true : undefined,
    includeUsage:
      'stream_options' in object
        ? typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true
        : undefined,
    serviceTier: typeof object.service_tier === 'string' && object.service_tier !== '' ? object.service_tier : undefined,
  };
}

describe('readRequestFields', () => {
  it('agrees with JSON.parse on the top-level fields of any object, however it is formatted', () => {
    fc.assert(
      fc.property(requestObject, fc.constantFrom(undefined, 2, '\t'), (object, indent) => {
        const text = JSON.stringify(object, null, indent);
        const fields = readRequestFields(text);
        const expected = expectedFields(object as Record<string, unknown>);
        expect(fields.model).toBe(expected.model);
        expect(fields.stream).toBe(expected.stream);
        expect(fields.includeUsage).toBe(expected.includeUsage);
        expect(fields.serviceTier).toBe(expected.serviceTier);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        readRequestFields(text);
        readRequestFields(`{"model":${text}`);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes escaped model names', () => {
    expect(readRequestFields('{"model":"a\\"b\\u00e9"}').model).toBe('a"bé');
  });
});

describe('withIncludeUsage', () => {
  it('adds include_usage and keeps everything else', () => {
    fc.assert(
      fc.property(requestObject, (object) => {
        const text = JSON.stringify({ ...object, stream: true });
        const fields = readRequestFields(text);
        const rewritten = withIncludeUsage(text, fields);
        const options = (object as { stream_options?: unknown }).stream_options;
        const optionsIsObject = typeof options === 'object' && options !== null && !Array.isArray(options);
        const includeUsage = optionsIsObject ? (options as { include_usage?: unknown }).include_usage : undefined;
        if (includeUsage === true || includeUsage === false) {
          expect(rewritten).toBeUndefined();
          return;
        }
        expect(rewritten).toBeDefined();
        const expected = {
          ...object,
          stream: true,
          stream_options: { ...(optionsIsObject ? (options as object) : {}), include_usage: true },
        };
        expect(JSON.parse(rewritten!)).toEqual(JSON.parse(JSON.stringify(expected)));
      }),
      { numRuns: 300 },
    );
  });
});
