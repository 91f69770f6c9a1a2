import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { priceUsage } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TOKENS, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');
const fixtures = process.env.LLM_COST_SHARED_FIXTURES ?? resolve(repoRoot, '../shared/fixtures/providers');
const haveFixtures = existsSync(join(fixtures, 'openai/chat-completions-prompt-cached-gpt-4o-mini.json'));
if (!haveFixtures) {
  // Said loudly rather than skipped silently: these tests need the shared recordings.
  console.warn(`instrumented-app tests did NOT run: shared provider fixtures not found at ${fixtures}`);
}

interface Row {
  user_id: string;
  feature: string;
  provider: string;
  response_model: string;
  input_tokens: string | number;
  cache_read_tokens: string | number;
  output_tokens: string | number;
  /** Exact decimal text (JSON formats give Decimal as a number on some settings). */
  total_cost_text: string;
  tenant_id: string;
  service_name: string;
  usage_source: string;
}

function observedUsage(name: string): Record<string, number> {
  const meta = JSON.parse(readFileSync(join(fixtures, `${name}.meta.json`), 'utf8')) as {
    observed_usage: { value?: Record<string, number>; last?: { value: Record<string, number> } };
  };
  return (meta.observed_usage.value ?? meta.observed_usage.last?.value)!;
}

describe.runIf(haveFixtures)('a real instrumented app sending to the collector', () => {
  let fx: CollectorFixture;
  beforeAll(async () => {
    fx = await startTestCollector();
  });
  afterAll(() => fx.close());

  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`writes one priced row per call, and rollups equal the rows (${protocol})`, async () => {
      const service = `app-${protocol.replace('/', '-')}`;
      await run(process.execPath, [join(__dirname, 'fixtures/instrumented-app.mjs')], {
        env: {
          ...process.env,
          COLLECTOR_URL: fx.collector.url,
          COLLECTOR_TOKEN: TOKENS.globex,
          OTLP_PROTOCOL: protocol,
          FIXTURES: fixtures,
          SERVICE_NAME: service,
        },
        timeout: 60_000,
      });
      const db = fx.queries.store.database;
      const client = fx.queries.store.client;
      const rowsOf = async (): Promise<Row[]> =>
        (await client.query({
          query: `SELECT *, toDecimalString(assumeNotNull(total_cost), 9) AS total_cost_text FROM ${db}.llm_calls WHERE service_name = {service:String} ORDER BY user_id, feature`,
          query_params: { service },
          format: 'JSONEachRow',
        })).json<Row>();
      await waitFor(async () => (await rowsOf()).length === 3, `three rows from ${service}`);
      // An insert's rows show in llm_calls a moment before its materialized views finish the rollups: wait until the
      // collector counts the insert as done (its views included) before comparing the rollups with the rows.
      const written = protocol === 'http/protobuf' ? 3 : 6;
      await waitFor(async () => (await fx.metric('llm_cost_pipeline_calls_written_total')) >= written, 'the insert');
      const rows = await rowsOf();

      const chat = observedUsage('openai/chat-completions-prompt-cached-gpt-4o-mini');
      const claude = observedUsage('anthropic/messages-cache-read-claude-3-5-sonnet');
      const [aliceSearch, aliceSummarize, bobChat] = [
        rows.find((r) => r.feature === 'search')!,
        rows.find((r) => r.feature === 'summarize')!,
        rows.find((r) => r.feature === 'chat')!,
      ];
      // 64-bit integers come back as numbers (embedded) or strings (server): compare as numbers.
      const tokens = (r: Row) => [Number(r.input_tokens), Number(r.cache_read_tokens), Number(r.output_tokens)];
      expect(aliceSearch).toMatchObject({ user_id: 'alice', provider: 'openai', tenant_id: 'globex', usage_source: 'response' });
      expect(tokens(aliceSearch)).toEqual([chat.prompt_tokens, 1024, chat.completion_tokens]);
      expect(aliceSummarize).toMatchObject({ user_id: 'alice', provider: 'anthropic', tenant_id: 'globex' });
      expect(tokens(aliceSummarize)).toEqual([
        claude.input_tokens! + claude.cache_read_input_tokens! + claude.cache_creation_input_tokens!,
        claude.cache_read_input_tokens,
        claude.output_tokens,
      ]);
      expect(bobChat).toMatchObject({ user_id: 'bob', provider: 'openai', usage_source: 'stream_final' });

      // The collector priced exactly as @llm-cost/pricing prices the same usage.
      for (const row of rows) {
        const price = priceUsage({
          provider: row.provider,
          model: row.response_model,
          usage: {
            inputTokens: Number(row.input_tokens),
            cacheReadTokens: Number(row.cache_read_tokens),
            outputTokens: Number(row.output_tokens),
          },
        });
        expect(row.total_cost_text).toBe(price.totalCost);
        expect(price.status).toBe('priced');
      }

      // Rollups: every query over the rollups equals the sums over the rows.
      const window = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
      const byService = (await fx.queries.costBreakdown({ ...window, by: 'service' })).find((e) => e.key === service)!;
      const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);
      expect(byService.calls).toBe(3);
      expect(byService.inputTokens).toBe(sum((r) => Number(r.input_tokens)));
      expect(byService.outputTokens).toBe(sum((r) => Number(r.output_tokens)));
      const costSum = await client.query({
        query: `SELECT toDecimalString(sum(assumeNotNull(total_cost)), 9) AS cost FROM ${db}.llm_calls WHERE service_name = {service:String}`,
        query_params: { service },
        format: 'JSONEachRow',
      });
      expect(byService.cost).toBe(((await costSum.json()) as Array<{ cost: string }>)[0]!.cost);
    });
  }

  it('bills every call to the token tenant in the tenant rollup', async () => {
    const window = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
    const globex = await fx.queries.usageInPeriod({ ...window, tenantId: 'globex' });
    expect(globex.calls).toBe(6);
  });
});
