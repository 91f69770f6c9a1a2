/**
 * End to end: real SDKs (OpenAI, Anthropic, Gemini, OpenRouter through the OpenAI SDK) against loopback servers
 * replaying the project's sample responses, instrumented by registerLlmCostInstrumentation with our exporter, users
 * served inside withTags -> rows -> rollups -> queries, with totals equal to hand-computed costs; then a budget that
 * blocks a user before the request leaves.
 */
import { GoogleGenAI } from '@google/genai';
import { Anthropic } from '@anthropic-ai/sdk';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';
import { createBudgetGuard } from '../src/budgets/budget-guard.js';
import { BudgetExceededError } from '../src/errors.js';
import { ClickHouseCostExporter } from '../src/exporter.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { totalsPerTable } from './support/rows.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const database = uniqueDatabase('e2e');
const pricer = createPricer();
const exporter = new ClickHouseCostExporter({ path, database, pricer });
const queries = createUsageQueries({ path, database });
const guard = createBudgetGuard({
  queries,
  pricer,
  budgets: [{ name: 'daily per user', scope: 'user', period: 'day', maxCost: '0.004', action: 'block' }],
});
const servers: Record<string, ProviderServer> = {};
let instrumentation: LlmCostInstrumentation;

beforeAll(async () => {
  servers.openai = await startProviderServer((request) =>
    fixtureReply(projectFixture(request.url.includes('embeddings') ? 'openai/embeddings' : 'openai/chat-completions')),
  );
  servers.anthropic = await startProviderServer(() => fixtureReply(projectFixture('anthropic/messages')));
  servers.gemini = await startProviderServer(() => fixtureReply(projectFixture('gemini/generate-content')));
  servers.openrouter = await startProviderServer(() => fixtureReply(projectFixture('openrouter/chat-completions')));
  instrumentation = registerLlmCostInstrumentation({
    exporter,
    serviceName: 'e2e-app',
    budgetGuard: guard,
    hosts: Object.fromEntries(Object.entries(servers).map(([name, server]) => [server.host, name])),
  });
});

afterAll(async () => {
  await instrumentation.shutdown();
  await queries.close();
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

const openai = () => new OpenAI({ apiKey: 'k', baseURL: `${servers.openai!.url}/v1`, maxRetries: 0 });
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('instrumented SDK calls to rollups and queries', () => {
  it('costs every user exactly what the calls cost', async () => {
    await withTags({ user_id: 'alice', tenant_id: 'acme', feature: 'chat' }, async () => {
      await openai().chat.completions.create(chat);
      await new Anthropic({ apiKey: 'k', baseURL: servers.anthropic!.url, maxRetries: 0 }).messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      });
    });
    await withTags({ user_id: 'bob', tenant_id: 'acme', feature: 'search' }, async () => {
      const gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: servers.gemini!.url } });
      await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
      const openrouter = new OpenAI({ apiKey: 'k', baseURL: `${servers.openrouter!.url}/api/v1`, maxRetries: 0 });
      await openrouter.chat.completions.create({ ...chat, model: 'anthropic/claude-sonnet-4.5' });
    });
    await withTags({ user_id: 'carol', tenant_id: 'globex', feature: 'search' }, () =>
      openai().embeddings.create({ model: 'text-embedding-3-small', input: 'hi' }),
    );
    await instrumentation.forceFlush();
    await exporter.forceFlush();

    const day = new Date().toISOString().slice(0, 10);
    const byUser = await queries.costBreakdown({ by: 'user', from: day, to: Date.now() + 86_400_000 });
    // alice: gpt-4o-mini 176 x 0.15 + 1024 x 0.075 + 300 x 0.60 per M            = 0.0002832
    //        claude-sonnet-4-5 25 x 3 + 1800 x 0.30 + 400 x 3.75 + 200 x 6 + 70 x 15 per M = 0.004365
    // bob:   gemini-2.5-flash 1024 x 0.30 + 3072 x 0.03 + 320 x 2.50 per M          = 0.00119936
    //        openrouter, provider-reported                                            = 0.0014715
    // carol: text-embedding-3-small 8 x 0.02 per M                                   = 0.00000016
    expect(byUser.map((entry) => [entry.key, entry.calls, entry.cost])).toEqual([
      ['alice', 2, '0.004648200'],
      ['bob', 2, '0.002670860'],
      ['carol', 1, '0.000000160'],
    ]);
    const byTenant = await queries.costBreakdown({ by: 'tenant', from: day, to: Date.now() + 86_400_000 });
    expect(byTenant.map((entry) => [entry.key, entry.cost])).toEqual([
      ['acme', '0.007319060'],
      ['globex', '0.000000160'],
    ]);
    const search = await queries.usageInPeriod({ tags: { feature: 'search' }, from: day, to: Date.now() + 86_400_000 });
    expect(search).toMatchObject({ calls: 3, cost: '0.002671020', inputTokens: 4096 + 2000 + 8 });
    const byProvider = await queries.costBreakdown({ by: 'provider', from: day, to: Date.now() + 86_400_000 });
    expect(byProvider.map((entry) => entry.key).sort()).toEqual(['anthropic', 'gcp.gemini', 'openai', 'openrouter']);
    const totals = await totalsPerTable(exporter.pipeline.store.client, database);
    for (const table of Object.values(totals)) expect(table).toMatchObject({ calls: 5, cost: '0.007319220' });
  });

  it('blocks a user over budget before the request leaves', async () => {
    // alice has spent 0.0046482 today (recorded by this process), over her 0.004 daily budget.
    const requestsBefore = servers.openai!.requests.length;
    const error = await withTags({ user_id: 'alice' }, () => openai().chat.completions.create(chat)).catch((e: unknown) => e);
    const budgetError = error instanceof BudgetExceededError ? error : (error as { cause?: unknown }).cause;
    expect(budgetError).toBeInstanceOf(BudgetExceededError);
    expect((budgetError as BudgetExceededError).message).toBe(
      'Budget exceeded for user_id=alice: daily cost 0.0046 USD > 0.004 USD',
    );
    expect(servers.openai!.requests.length).toBe(requestsBefore);
    // Another user is not affected.
    await withTags({ user_id: 'carol' }, () => openai().chat.completions.create(chat));
    expect(servers.openai!.requests.length).toBe(requestsBefore + 1);
  });
});
