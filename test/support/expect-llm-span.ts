/**
 * One assertion for a whole LLM span: kind, scope, name, status and the attribute map, instead of pasted blocks.
 */
import { SpanKind, SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import { INSTRUMENTATION_SCOPE_NAME } from '../../packages/semconv/src/index.js';

export interface ExpectedLlmSpan {
  name?: string;
  /** Expected attributes; `undefined` means "must be absent". */
  attributes?: Record<string, AttributeValue | undefined>;
  /** @default 'unset' unless `attributes` has error.type, then 'error' */
  status?: 'unset' | 'error';
  /**
   * Every `gen_ai.*`, `llm_cost.*`, `error.type` and `http.*` attribute on the span must be listed in `attributes`.
   * @default false
   */
  exact?: boolean;
}

const OURS = /^(gen_ai\.|llm_cost\.|error\.type$|http\.)/;

export function expectLlmSpan(span: ReadableSpan | undefined, expected: ExpectedLlmSpan): void {
  expect(span, 'expected an LLM span').toBeDefined();
  const s = span!;
  expect(s.kind, 'span kind').toBe(SpanKind.CLIENT);
  expect(s.instrumentationScope.name).toBe(INSTRUMENTATION_SCOPE_NAME);
  expect(s.ended, 'span ended').toBe(true);
  if (expected.name !== undefined) expect(s.name).toBe(expected.name);
  const attributes = expected.attributes ?? {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) {
      expect(s.attributes, `attribute ${key} must be absent`).not.toHaveProperty([key]);
    } else {
      expect(s.attributes[key], `attribute ${key}`).toEqual(value);
    }
  }
  if (expected.exact === true) {
    const listed = new Set(Object.keys(attributes));
    const extra = Object.keys(s.attributes).filter((key) => OURS.test(key) && !listed.has(key));
    expect(extra, 'attributes not listed in the expectation').toEqual([]);
  }
  const status = expected.status ?? (attributes['error.type'] !== undefined ? 'error' : 'unset');
  expect(s.status.code, 'span status').toBe(status === 'error' ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
}

/** Every piece of text a span carries: name, attribute keys and values, events, links, status message, resource. */
export function spanText(span: ReadableSpan): string {
  const parts: string[] = [span.name, span.status.message ?? ''];
  for (const [key, value] of Object.entries(span.attributes)) parts.push(key, JSON.stringify(value));
  for (const event of span.events) {
    parts.push(event.name, JSON.stringify(event.attributes ?? {}));
  }
  for (const link of span.links) parts.push(JSON.stringify(link.attributes ?? {}));
  parts.push(JSON.stringify(span.resource.attributes));
  return parts.join('\n');
}

/** Asserts that none of `secrets` appears anywhere in any of the spans. */
export function expectNoSecrets(spans: readonly ReadableSpan[], secrets: readonly string[]): void {
  for (const span of spans) {
    const text = spanText(span);
    for (const secret of secrets) expect(text.includes(secret), `span "${span.name}" contains "${secret}"`).toBe(false);
  }
}
