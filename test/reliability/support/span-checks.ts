/** Checks the host-safety suites share: what any span must look like whatever the body said, and readable cases. */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ProviderCase } from './provider-cases.js';

/** Counterexamples name the case instead of printing its recorded body. */
export function printableCase(c: ProviderCase): ProviderCase {
  return Object.assign(Object.create(c) as ProviderCase, { [fc.toStringMethod]: () => c.id });
}

const USAGE_SOURCES = ['response', 'stream_final', 'stream_partial', 'unknown'];
const END_REASONS = [undefined, 'completed', 'cancelled', 'aborted', 'error', 'abandoned'];

/** Whatever the body said, the span's numbers are token counts and its enums are enums. */
export function expectSaneAttributes(attributes: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (/^gen_ai\.usage\..*tokens$|^llm_cost\.usage\..*tokens$/.test(key)) {
      expect(Number.isSafeInteger(value) && (value as number) >= 0, `${key}=${String(value)}`).toBe(true);
    }
  }
  expect(USAGE_SOURCES).toContain(attributes['llm_cost.usage_source']);
  expect(END_REASONS).toContain(attributes['llm_cost.end_reason']);
  const cost = attributes['llm_cost.provider_reported_cost'];
  if (cost !== undefined) expect(String(cost)).toMatch(/^\d+(\.\d+)?$/);
}

/** Usage-related attributes of a span (what splitting a stream must not change). */
export function usageView(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).filter(([key]) => /^gen_ai\.(usage|response)\.|^llm_cost\.(usage_source|end_reason|provider_reported_cost)/.test(key)),
  );
}
