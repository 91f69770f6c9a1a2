import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createBudgetGuard } from '../src/budgets/budget-guard.js';
import type { BudgetDecision, BudgetExceededEvent, RecordedLlmCall } from '../src/budgets/budget-types.js';
import { BudgetExceededError, InvalidOptionError } from '../src/errors.js';
import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { plainCalls, waitFor } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const database = uniqueDatabase('budgets');
const pricer = createPricer();
const queries = createUsageQueries({ path, database });
const request = (userId: string) => ({ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', tags: { user_id: userId } });
/** A gpt-4o-mini call of 1000 input and 100 output tokens: $0.00021. */
const call = (tags: Record<string, string>, timestamp = Date.now()): RecordedLlmCall => ({
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini',
  usage: { inputTokens: 1000, outputTokens: 100 },
  tags,
  timestamp,
});

beforeAll(async () => {
  // u1 spent 10 x $0.00021 = $0.0021 today, already in ClickHouse.
  const pipeline = new CostPipeline({ path, database, pricer });
  pipeline.submit(plainCalls(10, { user: 'u1', startMs: Date.now() - 60_000 }));
  await pipeline.shutdown();
});
afterAll(() => queries.close());

describe('createBudgetGuard', () => {
  it('blocks a user over a daily cost budget, from ClickHouse spend, with a clear error', async () => {
    const guard = createBudgetGuard({ queries, pricer, budgets: [{ scope: 'user', period: 'day', maxCost: '0.002', action: 'block' }] });
    const cold = guard.check(request('u1'));
    expect(cold).toBeInstanceOf(Promise);
    const decision = (await cold) as BudgetDecision;
    expect(decision.action).toBe('block');
    const error = (decision as { error: Error }).error;
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({
      name: 'BudgetExceededError',
      code: 'LLM_COST_BUDGET_EXCEEDED',
      scope: 'user_id=u1',
      period: 'day',
      kind: 'cost',
      spent: '0.002100000',
      limit: '0.002000000',
      message: 'Budget exceeded for user_id=u1: daily cost 0.0021 USD > 0.002 USD',
    });
    // Warm cache: synchronous answers, for the blocked user and for another one once read.
    expect(guard.check(request('u1'))).toMatchObject({ action: 'block' });
    await guard.check(request('u2'));
    expect(guard.check(request('u2'))).toEqual({ action: 'allow' });
    // Calls outside the scope (no user tag) are not this budget's business.
    expect(guard.check({ provider: 'openai', tags: {} })).toBeUndefined();
  });

  it('adds spend recorded in this process to what ClickHouse showed, and notifies once', async () => {
    const events: BudgetExceededEvent[] = [];
    const guard = createBudgetGuard({
      queries,
      pricer,
      onExceeded: (event) => events.push(event),
      budgets: [{ name: 'u3 daily', scope: 'user', period: 'day', maxCost: 0.0005, action: 'block' }],
    });
    expect(await guard.check(request('u3'))).toEqual({ action: 'allow' });
    guard.record(call({ user_id: 'u3' }));
    guard.record(call({ user_id: 'u3' }));
    expect(guard.check(request('u3'))).toEqual({ action: 'allow' }); // $0.00042
    guard.record(call({ user_id: 'u3' })); // $0.00063
    expect(events).toEqual([
      expect.objectContaining({ budget: 'u3 daily', scope: 'user_id=u3', kind: 'cost', spent: '0.000630000', action: 'block' }),
    ]);
    const decision = guard.check(request('u3'));
    expect(decision).toMatchObject({ action: 'block', error: { spent: '0.000630000' } });
    guard.check(request('u3'));
    expect(events).toHaveLength(1);
  });

  it('does not count a call twice once ClickHouse shows it (after the write lag)', async () => {
    let clock = Date.now();
    const guard = createBudgetGuard({
      queries,
      pricer,
      now: () => clock,
      cacheTtlMs: 1000,
      writeLagMs: 5000,
      // One call ($0.00021) fits; the same call counted twice ($0.00042) would not.
      budgets: [{ scope: 'user', period: 'day', maxCost: '0.0003', action: 'block' }],
    });
    const decision = () => guard.check(request('u4'));
    expect(await decision()).toEqual({ action: 'allow' });
    guard.record(call({ user_id: 'u4' }));
    expect(decision()).toEqual({ action: 'allow' });
    // The exporter writes the same call to ClickHouse.
    const pipeline = new CostPipeline({ path, database, pricer });
    pipeline.submit(plainCalls(1, { user: 'u4', startMs: Date.now() }));
    await pipeline.shutdown();
    // Read again within the write lag: the local record is still added (it might not have landed), so the guard
    // errs on the safe side and blocks early.
    clock += 2000;
    await waitFor('a read within the write lag', () => (decision() as BudgetDecision).action === 'block');
    // Read again after the write lag: ClickHouse's figure alone, the call counted once.
    clock += 10_000;
    await waitFor('a read after the write lag', () => (decision() as BudgetDecision).action === 'allow');
  });

  it('limits tokens per tag value and notifies through the webhook', async () => {
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const guard = createBudgetGuard({
      queries,
      pricer,
      webhookUrl: url,
      budgets: [{ scope: { tag: 'feature' }, period: 'month', maxTokens: 2000, action: 'notify' }],
    });
    const search = { provider: 'openai', tags: { feature: 'search' } };
    expect(await guard.check(search)).toEqual({ action: 'allow' });
    guard.record(call({ feature: 'search' }));
    guard.record(call({ feature: 'search' })); // 2200 tokens
    expect(guard.check(search)).toEqual({ action: 'allow' }); // notify only
    await waitFor('the webhook', () => received.length === 1);
    expect(received[0]).toMatchObject({
      type: 'llm_cost.budget_exceeded',
      scope: 'feature=search',
      period: 'month',
      kind: 'tokens',
      spent: '2200',
      limit: '2000',
      action: 'notify',
    });
    server.close();
  });

  it('per-call budgets notify after the call; asking them to block is a configuration error', () => {
    const events: BudgetExceededEvent[] = [];
    const guard = createBudgetGuard({
      queries,
      pricer,
      onExceeded: (event) => events.push(event),
      budgets: [{ scope: 'global', period: 'call', maxCost: '0.0002', action: 'notify' }],
    });
    guard.record(call({}));
    expect(events).toEqual([expect.objectContaining({ scope: 'global', period: 'call', spent: '0.000210000' })]);
    expect(() =>
      createBudgetGuard({ queries, budgets: [{ scope: 'global', period: 'call', maxCost: 1, action: 'block' }] }),
    ).toThrow(InvalidOptionError);
    expect(() => createBudgetGuard({ queries, budgets: [{ scope: 'user', period: 'day', action: 'block' }] })).toThrow(
      /set maxCost, maxTokens or both/,
    );
  });
});
