/**
 * The drift query end to end (issue 14): calls through the real SDKs (`openai`, `@anthropic-ai/sdk`) against loopback
 * providers replaying the project's sample responses, instrumented by registerLlmCostInstrumentation with the real
 * ClickHouseCostExporter into embedded ClickHouse; then each provider's admin report bills the same day for those calls
 * and a quarter more (calls we never saw), so the instrumented calls cover 80% of the billed day. syncProviderBills
 * reads the reports, and billDrift must say 0.8, exactly: billed = estimated × 5 / 4 to the nano-dollar.
 */
import { Anthropic } from '@anthropic-ai/sdk';
import { ClickHouseCostExporter, createUsageQueries, fromNanoUsd, openStore, parseNanoUsd, type BillDriftEntry } from '@llm-cost/clickhouse';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixtureReply, projectFixture, startProviderServer, testStorePath, uniqueDatabase, type ProviderServer } from '../../../test/support/index.js';
import { syncProviderBills } from '../src/sync/sync-provider-bills.js';
import { anthropicCost, anthropicMessages, openAiCompletions, openAiCost, openAiEmbeddings, startAnthropicAdmin, startOpenAiAdmin, type AdminServer } from './support/admin-servers.js';

const OPENAI_KEY = 'sk-admin-drift-test-00000000000000000000000000000000000000000000000dr01';
const ANTHROPIC_KEY = 'sk-ant-admin01-drift-test-00000000000000000000000000000000000000000dr02';
const path = testStorePath('llm-cost-bills-drift-');
const database = uniqueDatabase('drift');
const exporter = new ClickHouseCostExporter({ path, database, pricer: createPricer() });
const servers: { openai?: ProviderServer; anthropic?: ProviderServer } = {};
let openaiAdmin: AdminServer;
let anthropicAdmin: AdminServer;
let instrumentation: LlmCostInstrumentation;

beforeAll(async () => {
  servers.openai = await startProviderServer(() => fixtureReply(projectFixture('openai/chat-completions')));
  servers.anthropic = await startProviderServer(() => fixtureReply(projectFixture('anthropic/messages')));
  openaiAdmin = await startOpenAiAdmin([OPENAI_KEY]);
  anthropicAdmin = await startAnthropicAdmin([ANTHROPIC_KEY]);
  instrumentation = registerLlmCostInstrumentation({
    exporter,
    serviceName: 'drift-app',
    hosts: { [servers.openai.host]: 'openai', [servers.anthropic.host]: 'anthropic' },
  });
});

afterAll(async () => {
  await instrumentation.shutdown();
  await Promise.all([servers.openai?.close(), servers.anthropic?.close(), openaiAdmin.close(), anthropicAdmin.close()]);
});

interface Seen {
  day: string;
  provider: string;
  model: string;
  cost: string;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  calls: number;
}

/** What the instrumented calls cost, per day, provider and model, as the store holds it. */
async function seen(): Promise<Seen[]> {
  const store = openStore({ path, database });
  try {
    const result = await store.client.query({
      query:
        "SELECT toString(toDate(timestamp)) AS day, provider, if(response_model != '', response_model, request_model) AS model, " +
        'toDecimalString(sum(total_cost), 9) AS cost, toString(sum(input_tokens)) AS input, toString(sum(cache_read_tokens)) AS cache_read, ' +
        'toString(sum(cache_write_tokens)) AS cache_write, toString(sum(output_tokens)) AS output, toString(count()) AS calls ' +
        `FROM \`${database}\`.llm_calls GROUP BY day, provider, model ORDER BY day, provider, model`,
      format: 'JSONEachRow',
    });
    return (await result.json<Record<string, string>>()).map((row) => ({
      day: row.day!,
      provider: row.provider!,
      model: row.model!,
      cost: row.cost!,
      input: Number(row.input),
      cacheRead: Number(row.cache_read),
      cacheWrite: Number(row.cache_write),
      output: Number(row.output),
      calls: Number(row.calls),
    }));
  } finally {
    await store.close();
  }
}

const quarterMore = (tokens: number) => Math.round(tokens * 1.25);

/** The admin reports bill each day the calls we saw and a quarter more: the cost × 5 / 4, exactly. */
function billWithUnseenTraffic(rows: Seen[]): Map<string, bigint> {
  const billed = new Map<string, bigint>();
  for (const row of rows) {
    const nano = (parseNanoUsd(row.cost) * 5n) / 4n;
    expect((parseNanoUsd(row.cost) * 5n) % 4n, `${row.model}: cost divisible by 4 nano-dollars`).toBe(0n);
    billed.set(`${row.day} ${row.provider}`, nano);
    // Split in two line items, as the providers do (input and output), summing to the billed amount.
    const output = nano / 3n;
    if (row.provider === 'openai') {
      openaiAdmin.setDay('costs', row.day, [
        openAiCost(`${row.model}, input`, Number(fromNanoUsd(nano - output))),
        openAiCost(`${row.model}, output`, Number(fromNanoUsd(output)), null),
      ]);
      openaiAdmin.setDay('completions', row.day, [
        openAiCompletions(row.model, { input: quarterMore(row.input), cached: quarterMore(row.cacheRead), output: quarterMore(row.output), requests: quarterMore(row.calls) }),
      ]);
      openaiAdmin.setDay('embeddings', row.day, []);
    } else {
      // Anthropic's amounts are cents: nano-dollars / 10^7, as a decimal string.
      const cents = (value: bigint) => fromNanoUsd(value * 100n).replace(/\.?0+$/, '');
      anthropicAdmin.setDay('cost_report', row.day, [
        anthropicCost('Claude Sonnet 4.5 Usage - Input Tokens', cents(nano - output), { model: row.model, tokenType: 'uncached_input_tokens' }),
        anthropicCost('Claude Sonnet 4.5 Usage - Output Tokens', cents(output), { model: row.model, tokenType: 'output_tokens', workspaceId: null }),
      ]);
      const uncached = row.input - row.cacheRead - row.cacheWrite;
      anthropicAdmin.setDay('messages', row.day, [
        anthropicMessages(row.model, {
          uncached: quarterMore(uncached),
          cacheRead: quarterMore(row.cacheRead),
          write5m: quarterMore(row.cacheWrite),
          output: quarterMore(row.output),
        }),
      ]);
    }
  }
  return billed;
}

describe('billDrift against the providers’ bills', () => {
  it('says 0.8 to the nano-dollar when the instrumented calls are 80% of the billed day', async () => {
    const openai = new OpenAI({ apiKey: 'sk-app-key', baseURL: `${servers.openai!.url}/v1`, maxRetries: 0 });
    const anthropic = new Anthropic({ apiKey: 'sk-ant-app-key', baseURL: servers.anthropic!.url, maxRetries: 0 });
    await withTags({ user_id: 'alice', feature: 'chat' }, async () => {
      for (let call = 0; call < 4; call++) {
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
      }
    });
    await instrumentation.forceFlush();
    await exporter.forceFlush();
    const calls = await seen();
    expect(calls.reduce((sum, row) => sum + row.calls, 0)).toBe(8);
    expect(new Set(calls.map((row) => `${row.provider} ${row.model}`))).toEqual(new Set(['openai gpt-4o-mini-2024-07-18', 'anthropic claude-sonnet-4-5-20250929']));
    const billed = billWithUnseenTraffic(calls);

    const days = [...new Set(calls.map((row) => row.day))].sort();
    const since = days[0]!;
    const until = new Date(Date.parse(`${days.at(-1)!}T00:00:00Z`) + 86_400_000).toISOString();
    for (const provider of ['openai', 'anthropic'] as const) {
      const result = await syncProviderBills({
        provider,
        adminKey: provider === 'openai' ? OPENAI_KEY : ANTHROPIC_KEY,
        baseUrl: provider === 'openai' ? openaiAdmin.baseUrl : anthropicAdmin.baseUrl,
        since,
        until,
        clickhouse: { path, database },
      });
      expect(result).toMatchObject({ days: days.length, missingDays: [], unmappedLineItems: [] });
    }
    // Reading the reports (GET requests to the same kind of host) adds no call.
    expect((await seen()).reduce((sum, row) => sum + row.calls, 0)).toBe(8);

    const queries = createUsageQueries({ path, database });
    let drift: BillDriftEntry[];
    try {
      drift = await queries.billDrift({ from: since, to: until });
    } finally {
      await queries.close();
    }
    for (const row of calls) {
      const expectedBill = billed.get(`${row.day} ${row.provider}`)!;
      const model = drift.find((e) => e.day === row.day && e.provider === row.provider && e.kind === 'model')!;
      const total = drift.find((e) => e.day === row.day && e.provider === row.provider && e.kind === 'total')!;
      for (const entry of [model, total]) {
        expect(entry, `${row.provider} ${entry.kind}`).toMatchObject({
          model: entry.kind === 'model' ? row.model : null,
          estimatedCost: row.cost,
          billedCost: fromNanoUsd(expectedBill),
          difference: fromNanoUsd(expectedBill - parseNanoUsd(row.cost)),
          coverage: 0.8,
          estimatedInputTokens: row.input,
          billedInputTokens: row.provider === 'openai' ? quarterMore(row.input) : quarterMore(row.input - row.cacheRead - row.cacheWrite) + quarterMore(row.cacheRead) + quarterMore(row.cacheWrite),
          estimatedOutputTokens: row.output,
          billedOutputTokens: quarterMore(row.output),
          estimatedCalls: row.calls,
          flagged: true,
          causes: ['uninstrumented_traffic'],
        });
      }
      // Exact: the estimate is 4/5 of the bill with no remainder.
      expect(parseNanoUsd(total.estimatedCost) * 5n).toBe(parseNanoUsd(total.billedCost) * 4n);
      expect(total.reason).toMatch(/^coverage 80\.0% .*: likely uninstrumented traffic \(calls we never saw\)$/);
    }
  });
});
