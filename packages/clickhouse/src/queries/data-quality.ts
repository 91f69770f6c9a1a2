import { fromNanoUsd, parseNanoUsd } from '../budgets/nano-usd.js';
import { IS_CALL, providerChargesTable, RAW_TABLE } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { reconcilableCallCondition } from '../reconciliation/reconcilable.js';
import { readBillDrift } from './bill-drift.js';
import { resolveThresholds } from './bill-checks.js';
import type { BillCoverageReport, BillDriftInput, BillDriftThresholds, DataQualityReport, ReconciliationModelEntry } from './query-types.js';
import type { SqlWithParams } from './usage-sql.js';

type Rows = <T>(sql: SqlWithParams) => Promise<T[]>;

const TIME_WHERE = "timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}";
const RAW_MODEL = "if(response_model != '', response_model, request_model)";

/** Extra conditions on `llm_calls` (a tenant, a user, ...) and their parameters. */
export interface RawFilter {
  where: string[];
  params: Record<string, unknown>;
}

/**
 * One row per reconciled call. A call reconciled twice by racing reconcilers (rare: each checks first) has two
 * identical charge rows; the first one read counts.
 */
function chargesSql(database: string, filter: RawFilter): string {
  // With a filter, only the charges of the calls it selects (charges carry no user or tenant of their own).
  const ofCalls =
    filter.where.length === 0
      ? ''
      : ` AND (provider, provider_response_id) GLOBAL IN (SELECT provider, provider_response_id FROM ${qualified(database, RAW_TABLE)}` +
        ` WHERE ${TIME_WHERE} AND ${filter.where.join(' AND ')})`;
  return (
    `(SELECT * FROM ${qualified(database, providerChargesTable.name)} WHERE ${TIME_WHERE}${ofCalls} ` +
    'ORDER BY reconciled_at LIMIT 1 BY provider, provider_response_id)'
  );
}

/**
 * Unpriced models, unknown usage, untagged and failed calls from `llm_calls` (calls only, not adjustment rows), and
 * the reconciliation state: calls whose provider can report its charge, how many were reconciled, and per model how
 * far the estimates were from what was charged. With a filter (a tenant, a user), everything is narrowed to the
 * calls it selects, and the provider bills (one per organisation, for every tenant together) are left out.
 */
export async function readDataQuality(
  rows: Rows,
  database: string,
  range: { from: string; to: string },
  period: Pick<BillDriftInput, 'from' | 'to'> & BillDriftThresholds,
  filter: RawFilter = { where: [], params: {} },
): Promise<DataQualityReport> {
  const table = qualified(database, RAW_TABLE);
  const params = { ...filter.params, ...range };
  const callsWhere = [TIME_WHERE, ...filter.where].join(' AND ');
  const [summary] = await rows<Record<string, string>>({
    query:
      `SELECT toString(countIf(${IS_CALL})) AS calls, ` +
      `toString(countIf(${IS_CALL} AND pricing_status = 'unknown_model')) AS unpriced, ` +
      `toString(countIf(${IS_CALL} AND pricing_status = 'unknown_usage' AND error_type = '')) AS unknown_usage, ` +
      `toString(countIf(${IS_CALL} AND empty(tags))) AS untagged, toString(countIf(${IS_CALL} AND error_type != '')) AS errors ` +
      `FROM ${table} WHERE ${callsWhere}`,
    params,
  });
  const models = await rows<{ provider: string; model: string; calls: string }>({
    query:
      `SELECT provider, ${RAW_MODEL} AS model, toString(count()) AS calls FROM ${table} ` +
      `WHERE ${callsWhere} AND ${IS_CALL} AND pricing_status = 'unknown_model' GROUP BY provider, model ORDER BY count() DESC`,
    params,
  });
  const [reconcilable] = await rows<{ reconcilable: string; reconciled: string }>({
    query:
      'SELECT toString(count()) AS reconcilable, ' +
      `toString(countIf((provider, provider_response_id) GLOBAL IN (SELECT provider, provider_response_id FROM ${chargesSql(database, filter)}))) AS reconciled ` +
      `FROM ${table} WHERE ${callsWhere} AND ${reconcilableCallCondition()}`,
    params,
  });
  const errors = await rows<Record<string, string>>({
    query:
      'SELECT provider, model, toString(count()) AS reconciled, toString(countIf(estimated_cost IS NULL)) AS unestimated, ' +
      'toDecimalString(sum(ifNull(estimated_cost, 0)), 9) AS estimated, ' +
      'toDecimalString(sumIf(charged_cost, estimated_cost IS NOT NULL), 9) AS charged, ' +
      'toString(avgIf(abs(toFloat64(charged_cost) - toFloat64(assumeNotNull(estimated_cost))) / toFloat64(charged_cost), ' +
      'estimated_cost IS NOT NULL AND charged_cost > 0)) AS mape ' +
      `FROM ${chargesSql(database, filter)} GROUP BY provider, model ORDER BY provider, model`,
    params,
  });
  const reconcilableCalls = Number(reconcilable?.reconcilable ?? 0);
  const reconciledCalls = Number(reconcilable?.reconciled ?? 0);
  return {
    calls: Number(summary?.calls ?? 0),
    unpricedModels: models.map((row) => ({ provider: row.provider, model: row.model, calls: Number(row.calls) })),
    unpricedCalls: Number(summary?.unpriced ?? 0),
    unknownUsageCalls: Number(summary?.unknown_usage ?? 0),
    untaggedCalls: Number(summary?.untagged ?? 0),
    errorCalls: Number(summary?.errors ?? 0),
    reconciliation: {
      reconcilableCalls,
      reconciledCalls,
      unreconciledCalls: reconcilableCalls - reconciledCalls,
      byModel: errors.map(modelEntry),
    },
    bills:
      filter.where.length === 0
        ? await readBillCoverage(rows, database, period)
        : { ...resolveThresholds(period), days: [], flaggedDays: 0 },
  };
}

/** Each day × provider with a synced bill in the period: its total beside our estimate, flagged when it drifts. */
export async function readBillCoverage(
  rows: Rows,
  database: string,
  input: Pick<BillDriftInput, 'from' | 'to'> & BillDriftThresholds,
): Promise<BillCoverageReport> {
  const thresholds = resolveThresholds(input);
  const days = (await readBillDrift(rows, database, { ...input, ...thresholds })).filter((entry) => entry.kind === 'total');
  return { ...thresholds, days, flaggedDays: days.filter((day) => day.flagged).length };
}

function modelEntry(row: Record<string, string>): ReconciliationModelEntry {
  const reconciledCalls = Number(row.reconciled);
  const unestimatedCalls = Number(row.unestimated);
  const estimated = parseNanoUsd(row.estimated ?? '0');
  const charged = parseNanoUsd(row.charged ?? '0');
  const compared = reconciledCalls - unestimatedCalls;
  const mape = Number(row.mape);
  return {
    provider: row.provider ?? '',
    model: row.model ?? '',
    reconciledCalls,
    unestimatedCalls,
    estimatedCost: fromNanoUsd(estimated),
    chargedCost: fromNanoUsd(charged),
    // Exact: the sums are exact nano-USD; the mean is rounded toward zero to the nano-dollar.
    meanErrorUsd: fromNanoUsd(compared === 0 ? 0n : (charged - estimated) / BigInt(compared)),
    meanAbsolutePercentError: Number.isFinite(mape) ? Math.round(mape * 100 * 1e6) / 1e6 : null,
  };
}
