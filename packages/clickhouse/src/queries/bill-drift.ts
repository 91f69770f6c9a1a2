import { fromNanoUsd, parseNanoUsd } from '../budgets/nano-usd.js';
import { latestBillsView, rollupByModelTable } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { checkDrift, coverageOf, resolveThresholds, type ResolvedThresholds } from './bill-checks.js';
import type { BillDriftEntry, BillDriftInput } from './query-types.js';
import { addDays, dayStart, dayString, toMs } from './time-range.js';
import type { SqlWithParams } from './usage-sql.js';

type Rows = <T>(sql: SqlWithParams) => Promise<T[]>;

/** The UTC days `[first, end)` a drift range covers: `to` inside a day includes that day. */
export function driftDays(from: BillDriftInput['from'], to: BillDriftInput['to']): { first: string; end: string } {
  const fromMs = dayStart(toMs(from, 'from'));
  const toInput = toMs(to, 'to');
  const endMs = dayStart(toInput) === toInput ? toInput : addDays(dayStart(toInput), 1);
  return { first: dayString(fromMs), end: dayString(Math.max(endMs, fromMs)) };
}

/**
 * One row per day × provider × model (and per unmapped line item) over the days that have a synced bill: our
 * estimate from the daily rollup by model (list cost, tokens, calls) beside the bill's latest snapshot (amounts from
 * cost rows, tokens and requests from usage rows). A union of the two sides summed per key, so a model only one side
 * knows still gets its row. Inner columns are prefixed `b_` so outer aliases cannot shadow them.
 */
export function billDriftSql(database: string, days: { first: string; end: string }, provider?: string): SqlWithParams {
  const latest = qualified(database, latestBillsView.name);
  const rollup = qualified(database, rollupByModelTable.name);
  const inDays = 'day >= {first:Date} AND day < {end:Date}';
  const byProvider = provider === undefined ? '' : ' AND provider = {provider:String}';
  const zeroCost = 'toDecimal128(0, 9)';
  const query =
    'SELECT toString(day) AS o_day, provider AS o_provider, model AS o_model, line_item AS o_line_item, ' +
    'toDecimalString(sum(b_estimated), 9) AS estimated_cost, toDecimalString(sum(b_billed), 9) AS billed_cost, ' +
    'toString(sum(b_estimated_input)) AS estimated_input, toString(sum(b_billed_input)) AS billed_input, ' +
    'toString(sum(b_estimated_output)) AS estimated_output, toString(sum(b_billed_output)) AS billed_output, ' +
    'toString(sum(b_calls)) AS estimated_calls, toString(sum(b_unpriced)) AS unpriced_calls, toString(sum(b_requests)) AS billed_requests ' +
    'FROM (' +
    `SELECT day, provider, model, '' AS line_item, toDecimal128(total_cost, 9) AS b_estimated, ${zeroCost} AS b_billed, ` +
    'toUInt64(input_tokens) AS b_estimated_input, toUInt64(0) AS b_billed_input, toUInt64(output_tokens) AS b_estimated_output, ' +
    'toUInt64(0) AS b_billed_output, toUInt64(calls) AS b_calls, toUInt64(unpriced_calls) AS b_unpriced, toUInt64(0) AS b_requests ' +
    `FROM ${rollup} WHERE ${inDays}${byProvider} ` +
    // Only days a bill was synced for: elsewhere there is nothing to compare with.
    `AND (provider, day) GLOBAL IN (SELECT provider, day FROM ${latest} WHERE ${inDays}${byProvider}) ` +
    'UNION ALL ' +
    // Day markers come through with zero figures, so a day billed nothing still has its total.
    `SELECT day, provider, model, if(model = '', line_item, '') AS line_item, ${zeroCost}, toDecimal128(amount, 9), ` +
    'toUInt64(0), toUInt64(input_tokens), toUInt64(0), toUInt64(output_tokens), toUInt64(0), toUInt64(0), toUInt64(requests) ' +
    `FROM ${latest} WHERE ${inDays}${byProvider}` +
    ") GROUP BY day, provider, model, line_item ORDER BY day, provider, model = '', model, line_item";
  return { query, params: { first: days.first, end: days.end, ...(provider === undefined ? {} : { provider }) } };
}

interface DriftRow {
  o_day: string;
  o_provider: string;
  o_model: string;
  o_line_item: string;
  estimated_cost: string;
  billed_cost: string;
  estimated_input: string;
  billed_input: string;
  estimated_output: string;
  billed_output: string;
  estimated_calls: string;
  unpriced_calls: string;
  billed_requests: string;
}

interface Sums {
  estimated: bigint;
  billed: bigint;
  estimatedInput: number;
  billedInput: number;
  estimatedOutput: number;
  billedOutput: number;
  calls: number;
  unpriced: number;
  requests: number;
  unmapped: bigint;
}

const ZERO_SUMS: Sums = {
  estimated: 0n,
  billed: 0n,
  estimatedInput: 0,
  billedInput: 0,
  estimatedOutput: 0,
  billedOutput: 0,
  calls: 0,
  unpriced: 0,
  requests: 0,
  unmapped: 0n,
};

function sumsOf(row: DriftRow, unmapped: boolean): Sums {
  const billed = parseNanoUsd(row.billed_cost);
  return {
    estimated: parseNanoUsd(row.estimated_cost),
    billed,
    estimatedInput: Number(row.estimated_input),
    billedInput: Number(row.billed_input),
    estimatedOutput: Number(row.estimated_output),
    billedOutput: Number(row.billed_output),
    calls: Number(row.estimated_calls),
    unpriced: Number(row.unpriced_calls),
    requests: Number(row.billed_requests),
    unmapped: unmapped ? billed : 0n,
  };
}

function add(a: Sums, b: Sums): Sums {
  return {
    estimated: a.estimated + b.estimated,
    billed: a.billed + b.billed,
    estimatedInput: a.estimatedInput + b.estimatedInput,
    billedInput: a.billedInput + b.billedInput,
    estimatedOutput: a.estimatedOutput + b.estimatedOutput,
    billedOutput: a.billedOutput + b.billedOutput,
    calls: a.calls + b.calls,
    unpriced: a.unpriced + b.unpriced,
    requests: a.requests + b.requests,
    unmapped: a.unmapped + b.unmapped,
  };
}

function isEmpty(sums: Sums): boolean {
  return (
    sums.estimated === 0n &&
    sums.billed === 0n &&
    sums.estimatedInput + sums.billedInput + sums.estimatedOutput + sums.billedOutput + sums.calls + sums.requests === 0
  );
}

function entry(
  base: Pick<BillDriftEntry, 'day' | 'provider' | 'kind' | 'model' | 'lineItem'>,
  sums: Sums,
  thresholds: ResolvedThresholds,
): BillDriftEntry {
  const verdict = checkDrift(
    {
      kind: base.kind,
      estimatedNano: sums.estimated,
      billedNano: sums.billed,
      estimatedTokens: sums.estimatedInput + sums.estimatedOutput,
      billedTokens: sums.billedInput + sums.billedOutput,
      unpricedCalls: sums.unpriced,
      unmappedNano: sums.unmapped,
    },
    thresholds,
  );
  return {
    ...base,
    estimatedCost: fromNanoUsd(sums.estimated),
    billedCost: fromNanoUsd(sums.billed),
    difference: fromNanoUsd(sums.billed - sums.estimated),
    coverage: coverageOf(sums.estimated, sums.billed),
    estimatedInputTokens: sums.estimatedInput,
    billedInputTokens: sums.billedInput,
    estimatedOutputTokens: sums.estimatedOutput,
    billedOutputTokens: sums.billedOutput,
    estimatedCalls: sums.calls,
    billedRequests: sums.requests,
    unpricedCalls: sums.unpriced,
    ...verdict,
  };
}

/**
 * The bill beside our estimate: per day and provider, one entry per model and per unmapped line item, then the day's
 * total; oldest day first. Every figure comes from each day's latest bill snapshot, so no sync is counted twice.
 */
export async function readBillDrift(rows: Rows, database: string, input: BillDriftInput): Promise<BillDriftEntry[]> {
  const thresholds = resolveThresholds(input);
  const result = await rows<DriftRow>(billDriftSql(database, driftDays(input.from, input.to), input.provider));
  const entries: BillDriftEntry[] = [];
  let current: { day: string; provider: string; sums: Sums } | undefined;
  const closeDay = () => {
    if (current === undefined) return;
    const { day, provider, sums } = current;
    entries.push(entry({ day, provider, kind: 'total', model: null, lineItem: null }, sums, thresholds));
  };
  for (const row of result) {
    if (current?.day !== row.o_day || current.provider !== row.o_provider) {
      closeDay();
      current = { day: row.o_day, provider: row.o_provider, sums: ZERO_SUMS };
    }
    const unmapped = row.o_model === '';
    const sums = sumsOf(row, unmapped);
    current.sums = add(current.sums, sums);
    // The day marker (and a line with nothing in it) only makes the day's total exist.
    if (isEmpty(sums)) continue;
    entries.push(
      entry(
        unmapped
          ? { day: row.o_day, provider: row.o_provider, kind: 'unmapped', model: null, lineItem: row.o_line_item }
          : { day: row.o_day, provider: row.o_provider, kind: 'model', model: row.o_model, lineItem: null },
        sums,
        thresholds,
      ),
    );
  }
  closeDay();
  return entries;
}
