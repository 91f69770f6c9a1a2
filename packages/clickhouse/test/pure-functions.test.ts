import { describe, expect, it } from 'vitest';

import { displayUsd, fromNanoUsd, toNanoUsd } from '../src/budgets/nano-usd.js';
import type { LlmCall } from '../src/mapping/llm-call.js';
import { priceCall, type Priced } from '../src/pricing/price-call.js';
import { createPricer } from '@llm-cost/pricing';
import { splitRange } from '../src/queries/time-range.js';
import { batchToken, insertStatement } from '../src/writer/insert-batch.js';
import { backoffDelayMs, classifyInsertFailure } from '../src/writer/insert-outcome.js';
import { encodeCall, encodeRow, toRow } from '../src/writer/llm-call-row.js';

describe('classifyInsertFailure', () => {
  it('retries network failures, overload and unknown errors', () => {
    expect(classifyInsertFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('retryable');
    expect(classifyInsertFailure({ code: '252', message: 'Too many parts' })).toBe('retryable');
    expect(classifyInsertFailure({ code: '209' })).toBe('retryable');
    expect(classifyInsertFailure(new Error('garbage'))).toBe('retryable');
  });
  it('migrates when tables are missing', () => {
    expect(classifyInsertFailure({ code: '60' })).toBe('missing_schema');
    expect(classifyInsertFailure({ code: '81' })).toBe('missing_schema');
  });
  it('never retries rows the store refused', () => {
    expect(classifyInsertFailure({ code: '27' })).toBe('bad_data');
    expect(classifyInsertFailure({ code: '53' })).toBe('bad_data');
  });
});

describe('backoffDelayMs', () => {
  it('doubles per attempt with jitter in the upper half, capped', () => {
    expect(backoffDelayMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelayMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelayMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelayMs(40, 100, 10_000, () => 1)).toBe(10_000);
  });
});

describe('batchToken', () => {
  it('is the same for the same rows in the same order, different otherwise', () => {
    expect(batchToken(['a', 'b'])).toBe(batchToken(['a', 'b']));
    expect(batchToken(['a', 'b'])).not.toBe(batchToken(['b', 'a']));
    expect(batchToken(['ab'])).not.toBe(batchToken(['a', 'b']));
    expect(insertStatement('db', 't', true)).toContain('insert_distributed_sync = 1');
    expect(insertStatement('db', 't')).not.toContain('insert_distributed_sync');
    expect(insertStatement('db', batchToken(['a']))).toMatch(/^INSERT INTO `db`.`llm_calls` \(timestamp, .*insert_deduplication_token = 'llm-cost-v1-[0-9a-f]{40}'/);
  });
});

describe('splitRange', () => {
  const H = 3_600_000;
  const D = Date.UTC(2026, 0, 10);
  it('answers whole days from rollups and the partial ends from raw rows', () => {
    expect(splitRange(D + 5 * H, D + 50 * H)).toEqual({ from: D + 5 * H, to: D + 50 * H, firstDay: D + 24 * H, endDay: D + 48 * H });
  });
  it('uses only rollups for whole-day ranges and only raw rows within a day', () => {
    expect(splitRange(D, D + 48 * H)).toMatchObject({ firstDay: D, endDay: D + 48 * H });
    expect(splitRange(D + H, D + 2 * H)).toMatchObject({ firstDay: D + H, endDay: D + H });
  });
  it('refuses a reversed range', () => {
    expect(() => splitRange(D + H, D)).toThrow(/before 'from'/);
  });
});

describe('nano-USD', () => {
  it('converts exactly', () => {
    expect(toNanoUsd('0.000018750')).toBe(18_750n);
    expect(toNanoUsd(10)).toBe(10_000_000_000n);
    expect(fromNanoUsd(4_648_200n)).toBe('0.004648200');
    expect(() => toNanoUsd('1e-5')).toThrow(/at most 9 decimals/);
  });
  it('shows enough decimals that spent and limit differ', () => {
    expect(displayUsd(toNanoUsd('10.02'), toNanoUsd('10'))).toBe('10.02');
    expect(displayUsd(toNanoUsd('10'), toNanoUsd('10'))).toBe('10.00');
    expect(displayUsd(toNanoUsd('0.0021'), toNanoUsd('0.002'))).toBe('0.0021');
  });
});

describe('encodeCall', () => {
  it('encodes the same line as the row object would', () => {
    const call: LlmCall = {
      traceId: 't',
      spanId: 's',
      parentSpanId: '',
      timestampMs: 1_767_225_600_007.9,
      latencyMs: 12.6,
      serviceName: 'svc',
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      responseId: 'r',
      usage: { inputTokens: 10, cacheReadTokens: 2, outputTokens: 5, reasoningTokens: 1 },
      usageSource: 'response',
      stream: true,
      httpStatus: 200,
      errorType: '',
      tags: { user_id: 'u"1', feature: 'f\n' },
      tenantOverridden: false,
      instrumentation: 'x',
      isOurs: true,
      providerReportedCost: undefined,
      pricingMode: undefined,
      spanPrice: undefined,
      completeness: 10,
    };
    const priced: Priced = {
      status: 'priced',
      priceVersion: 'v',
      pricedModel: 'openai:gpt-4o-mini',
      costs: { inputCost: '1', cacheReadCost: '0', cacheWriteCost: '0', outputCost: '2', totalCost: '3', billedCost: '3' },
    };
    expect(encodeCall(call, priced)).toBe(encodeRow(toRow(call, priced)));
    expect(JSON.parse(encodeCall(call, priced))[0]).toBe('1767225600.007');
    expect(encodeCall({ ...call, usage: undefined }, { ...priced, costs: { ...priced.costs, totalCost: null } })).toBe(
      encodeRow(toRow({ ...call, usage: undefined }, { ...priced, costs: { ...priced.costs, totalCost: null } })),
    );
  });
});

describe('priceCall', () => {
  const pricer = createPricer();
  const base: LlmCall = {
    traceId: 't', spanId: 's', parentSpanId: '', timestampMs: Date.UTC(2026, 0, 1), latencyMs: 1, serviceName: '',
    provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', responseModel: '', responseId: '',
    usage: { inputTokens: 1000, outputTokens: 100 }, usageSource: 'response', stream: false, httpStatus: 200,
    errorType: '', tags: {}, tenantOverridden: false, instrumentation: '', isOurs: true, providerReportedCost: undefined,
    pricingMode: undefined, spanPrice: undefined, completeness: 8,
  };
  const spanPrice = {
    priceVersion: pricer.priceVersion, status: 'priced', pricedModel: 'openai:gpt-4o-mini', inputCost: '1.000000000',
    cacheReadCost: '0.000000000', cacheWriteCost: '0.000000000', outputCost: '0.000000000', totalCost: '1.000000000',
    billedCost: '1.000000000',
  };
  it('prices usage with the pricer (1000 in / 100 out of gpt-4o-mini = $0.00021)', () => {
    expect(priceCall(base, pricer, false)).toMatchObject({ status: 'priced', costs: { totalCost: '0.000210000' } });
  });
  it('trusts costs a span carries from the same price data, and only then', () => {
    expect(priceCall({ ...base, spanPrice }, pricer, false).costs.totalCost).toBe('1.000000000');
    expect(priceCall({ ...base, spanPrice: { ...spanPrice, priceVersion: 'older' } }, pricer, false).costs.totalCost).toBe('0.000210000');
    expect(priceCall({ ...base, spanPrice }, pricer, true).costs.totalCost).toBe('0.000210000');
  });
  it('falls back to the requested model and leaves unknown usage unpriced', () => {
    expect(priceCall({ ...base, responseModel: 'my-deployment-7' }, pricer, false).costs.totalCost).toBe('0.000210000');
    expect(priceCall({ ...base, usage: undefined }, pricer, false)).toMatchObject({ status: 'unknown_usage', costs: { totalCost: null } });
  });
});
