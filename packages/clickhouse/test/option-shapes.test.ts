/**
 * Every option of ClickHouseCostExporter, createUsageQueries and createBudgetGuard given the wrong shape fails at
 * once, before any store is opened, with InvalidOptionError naming the option and the shape expected, and never
 * quoting the value (options carry passwords).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createBudgetGuard } from '../src/budgets/budget-guard.js';
import { InvalidOptionError } from '../src/errors.js';
import { ClickHouseCostExporter } from '../src/exporter.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';

/** A store path that must still not exist afterwards: nothing was opened. */
const untouched = () => join(mkdtempSync(join(tmpdir(), 'llm-cost-shapes-')), 'store');
const SECRET = 'do-not-print-this-secret';

function expectRefused(run: () => unknown, where: string, option: string, expected: RegExp): void {
  let error: unknown;
  try {
    run();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(InvalidOptionError);
  const message = (error as Error).message;
  expect(message.startsWith(`${where}: option "${option}" `), message).toBe(true);
  expect(message).toMatch(expected);
  expect(message).not.toContain(SECRET);
  expect((error as InvalidOptionError).code).toBe('LLM_COST_INVALID_OPTION');
}

// [option, wrong value, what the message must say is expected]
const CONNECTION_CASES: Array<[string, unknown, RegExp]> = [
  ['client', { query: () => undefined }, /must be a @clickhouse\/client client \(with query, insert, command\), got an object$/],
  ['url', new URL('http://localhost:8123'), /must be a string, got an object$/],
  ['username', 42, /must be a string, got a number$/],
  ['password', [SECRET], /must be a string, got an array$/],
  ['path', true, /must be a string, got a boolean$/],
  ['database', { name: 'x' }, /must be a string, got an object$/],
  ['cluster', 1, /must be a string, got a number$/],
  ['requestTimeoutMs', '30000', /must be a number, got a string$/],
  ['retentionDays', '90', /must be a number, got a string$/],
  ['rollupRetentionDays', NaN, /must be a number, got NaN$/],
];

const PIPELINE_CASES: Array<[string, unknown, RegExp]> = [
  ...CONNECTION_CASES,
  ['pricer', { price: () => 0 }, /must be a pricer from @llm-cost\/pricing's createPricer\(\), got an object$/],
  ['autoMigrate', 'false', /must be a boolean, got a string$/],
  ['maxQueueSize', '100', /must be a number, got a string$/],
  ['maxBatchSize', null, /must be a number, got null$/],
  ['flushIntervalMs', [1000], /must be a number, got an array$/],
  ['dedupHoldMs', '10s', /must be a number, got a string$/],
  ['dedupSettleMs', {}, /must be a number, got an object$/],
  ['maxHeldSpans', Infinity, /must be a number, got Infinity$/],
  ['dedupMemorySize', '1e5', /must be a number, got a string$/],
  ['retryBaseMs', true, /must be a number, got a boolean$/],
  ['retryMaxMs', '30000', /must be a number, got a string$/],
  ['shutdownTimeoutMs', () => 1, /must be a number, got a function$/],
];

describe('ClickHouseCostExporter options', () => {
  it.each(PIPELINE_CASES)('refuses %s of the wrong shape, opening nothing', (option, value, expected) => {
    const path = untouched();
    expectRefused(() => new ClickHouseCostExporter({ path, [option]: value }), 'ClickHouseCostExporter', option, expected);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses options that are not an object', () => {
    expect(() => new ClickHouseCostExporter('./store' as never)).toThrow(
      new InvalidOptionError('ClickHouseCostExporter: options must be an object, got a string'),
    );
  });
});

describe('createUsageQueries options', () => {
  it.each(CONNECTION_CASES)('refuses %s of the wrong shape, opening nothing', (option, value, expected) => {
    const path = untouched();
    expectRefused(() => createUsageQueries({ path, [option]: value }), 'createUsageQueries', option, expected);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a pricer of the wrong shape in the second argument, opening nothing', () => {
    const path = untouched();
    expectRefused(
      () => createUsageQueries({ path }, { pricer: { price: () => 0 } as never }),
      'createUsageQueries',
      'pricer',
      /must be a pricer from @llm-cost\/pricing's createPricer\(\), got an object$/,
    );
    expect(existsSync(path)).toBe(false);
    expect(() => createUsageQueries({ path }, 'pricer' as never)).toThrow(
      new InvalidOptionError('createUsageQueries: options must be an object, got a string'),
    );
  });
});

describe('createBudgetGuard options', () => {
  const queries = { usageInPeriod: async () => ({}) as never };
  const budget = { scope: 'user', period: 'day', maxCost: '5.00', action: 'block' } as const;
  const CASES: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['queries', { queries: undefined }, 'queries', /is required$/],
    ['queries', { queries: {} }, 'queries', /must be usage queries from createUsageQueries\(\) \(with usageInPeriod\), got an object$/],
    ['budgets', { budgets: undefined }, 'budgets', /is required$/],
    ['budgets', { budgets: budget }, 'budgets', /must be an array of budgets \(\{ scope, period, maxCost\?, maxTokens\?, action \}\), got an object$/],
    ['budgets[0]', { budgets: ['user'] }, 'budgets[0]', /must be a budget object .*, got a string$/],
    ['budgets[0].scope', { budgets: [{ ...budget, scope: { key: 'feature' } }] }, 'budgets[0].scope', /must be 'global', 'user', 'tenant' or \{ tag: '<key>' \}, got an object$/],
    ['budgets[0].period', { budgets: [{ ...budget, period: 'week' }] }, 'budgets[0].period', /must be "call" or "day" or "month", got a string$/],
    ['budgets[0].action', { budgets: [{ ...budget, action: undefined }] }, 'budgets[0].action', /is required$/],
    ['budgets[0].maxCost', { budgets: [{ ...budget, maxCost: { usd: 5 } }] }, 'budgets[0].maxCost', /must be a USD amount \(a decimal string or a number\), got an object$/],
    ['budgets[0].maxTokens', { budgets: [{ ...budget, maxTokens: '1000' }] }, 'budgets[0].maxTokens', /must be a number, got a string$/],
    ['budgets[0].provider', { budgets: [{ ...budget, provider: ['openai'] }] }, 'budgets[0].provider', /must be a string, got an array$/],
    ['budgets[0].model', { budgets: [{ ...budget, model: 4 }] }, 'budgets[0].model', /must be a string, got a number$/],
    ['budgets[0].name', { budgets: [{ ...budget, name: null }] }, 'budgets[0].name', /must be a string, got null$/],
    ['onExceeded', { onExceeded: 'console.log' }, 'onExceeded', /must be a function, got a string$/],
    ['webhookUrl', { webhookUrl: new URL(`https://hooks.example.com/${SECRET}`) }, 'webhookUrl', /must be a string, got an object$/],
    ['pricer', { pricer: {} }, 'pricer', /must be a pricer from @llm-cost\/pricing's createPricer\(\), got an object$/],
    ['cacheTtlMs', { cacheTtlMs: '10s' }, 'cacheTtlMs', /must be a number, got a string$/],
    ['writeLagMs', { writeLagMs: null }, 'writeLagMs', /must be a number, got null$/],
    ['now', { now: 0 }, 'now', /must be a function, got a number$/],
  ];
  it.each(CASES)('refuses %s of the wrong shape', (_label, override, option, expected) => {
    expectRefused(() => createBudgetGuard({ queries, budgets: [budget], ...override } as never), 'createBudgetGuard', option, expected);
  });

  it('accepts the documented shapes', () => {
    expect(() =>
      createBudgetGuard({
        queries,
        budgets: [budget, { scope: { tag: 'feature' }, period: 'month', maxTokens: 5, action: 'notify' }, { scope: 'global', period: 'call', maxCost: 1, action: 'notify' }],
        onExceeded: () => undefined,
      }),
    ).not.toThrow();
  });
});
