/**
 * The real OpenRouter recordings in ../shared/fixtures/providers/openrouter (read in place): the older key record,
 * a free model's generation record, and OpenRouter's own 429 and 502 error bodies, served by the loopback OpenRouter.
 */
import { CostPipeline, openStore } from '@llm-cost/clickhouse';
import { ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_LLM_COST_PROVIDER_REPORTED_COST, ATTR_LLM_COST_USAGE_SOURCE } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sharedFixturesAvailable, sharedFixturesMissingMessage } from '../../../test/support/index.js';
import { checkOpenRouterCredits } from '../src/credits/check-credits.js';
import { reconcileOpenRouter } from '../src/reconcile/reconcile-openrouter.js';
import { sharedBody, startFakeOpenRouter, type FakeOpenRouter } from './support/openrouter-server.js';
import { openRouterSpan } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const KEY = 'sk-or-v1-shared-00000000000000000000000000000000000000000000000000000000sh01';
const FREE_ID = 'gen-1737842317-9ifH6Yzo5icEdfD0I8SI';

if (!sharedFixturesAvailable()) {
  describe('OpenRouter with the shared recordings', () => {
    it('did NOT run: the shared recordings are absent', () => {
      console.warn(sharedFixturesMissingMessage('OpenRouter with the shared recordings'));
      expect(sharedFixturesAvailable()).toBe(false);
    });
  });
} else {
  let fake: FakeOpenRouter;
  beforeAll(async () => {
    fake = await startFakeOpenRouter();
    fake.setKey(KEY, sharedBody('key-info.json'));
    fake.setGeneration(FREE_ID, sharedBody('generation-stats.json'));
  });
  afterAll(() => fake.close());

  describe('OpenRouter with the shared recordings', () => {
    it('reads the older key record (no daily / weekly / monthly usage) and never its label', async () => {
      const credits = await checkOpenRouterCredits({ apiKey: KEY, baseUrl: fake.baseUrl });
      expect(credits).toMatchObject({
        limit: 5,
        usage: 0.1015644762,
        remaining: 4.8984355238,
        isFreeTier: false,
        rateLimit: { requests: 50, interval: '10s' },
        limitReset: null,
        totalCredits: null,
      });
      expect('usageDaily' in credits || 'usageWeekly' in credits || 'usageMonthly' in credits).toBe(false);
      expect(JSON.stringify(credits)).not.toContain('REDACTED');
    });

    it("reconciles a free model's streamed call: no cost to add, the native token counts recorded and added", async () => {
      const path = testStorePath();
      const database = uniqueDatabase('shared');
      const span = openRouterSpan({ startMs: Date.now() - 60_000, cost: '0', id: FREE_ID, tenant: 'acme' });
      // A stream that carried no usage: no tokens, no reported cost.
      const attributes = span.attributes as Record<string, unknown>;
      delete attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
      delete attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
      delete attributes[ATTR_LLM_COST_PROVIDER_REPORTED_COST];
      attributes[ATTR_LLM_COST_USAGE_SOURCE] = 'unknown';
      const pipeline = new CostPipeline({ path, database, pricer: createPricer() });
      pipeline.submit([span]);
      await pipeline.shutdown();

      // OpenRouter's own 429 body (with a Retry-After) and its 502 body come first; both are retried.
      fake.enqueue('/api/v1/generation', { status: 429, headers: { 'retry-after': '0' }, body: sharedBody('error-429-upstream-rate-limited.json') });
      fake.enqueue('/api/v1/generation', { status: 502, body: sharedBody('error-502-provider-returned-error.json') });
      const result = await reconcileOpenRouter({ apiKey: KEY, baseUrl: fake.baseUrl, clickhouse: { path, database }, delayMs: 0, retryBaseMs: 1 });
      expect(result).toMatchObject({ calls: 1, reconciled: 1, adjusted: 1, pending: 0, failed: 0, costDelta: '0.000000000' });
      expect(fake.requestsTo('/api/v1/generation')).toHaveLength(3);

      const store = openStore({ path, database });
      const [charge] = await (
        await store.client.query({
          query: `SELECT toString(charged_cost) AS charged, estimated_cost, upstream_provider, charged_model, native_input_tokens, native_output_tokens, streamed FROM \`${database}\`.llm_provider_charges`,
          format: 'JSONEachRow',
        })
      ).json();
      const [totals] = await (
        await store.client.query({
          query: `SELECT toString(sum(calls)) AS calls, toString(sum(input_tokens)) AS input, toString(sum(output_tokens)) AS output, toDecimalString(sum(total_cost), 9) AS cost FROM \`${database}\`.llm_daily_by_tenant`,
          format: 'JSONEachRow',
        })
      ).json();
      await store.close();
      expect(charge).toEqual({
        charged: '0',
        estimated_cost: null,
        upstream_provider: 'Google AI Studio',
        charged_model: 'google/gemini-2.0-flash-thinking-exp-01-21:free',
        native_input_tokens: 4,
        native_output_tokens: 521,
        streamed: true,
      });
      expect(totals).toEqual({ calls: '1', input: '4', output: '521', cost: '0.000000000' });
    });
  });
}
