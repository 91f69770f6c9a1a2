import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import type { BreakdownDimension, UsageTotals } from '../queries/query-types.js';
import { createUsageQueries, type UsageQueries } from '../queries/usage-queries.js';
import type { CliIo } from './cli-io.js';
import { CONNECTION_HELP, errorMessage, parseCommand } from './connection-flags.js';
import { formatRows, isOutputFormat, type Column } from './format-output.js';

const USAGE = `Usage: llm-cost report [options]

Prints cost and tokens from the daily rollups.

Options:
  --by WHAT        day | model | request-model | provider | user | tenant | service | tag:<key>   (default day)
  --days N         the last N UTC days, today included                            (default 7)
  --format FORMAT  table | csv | json                                             (default table)
  -h, --help

${CONNECTION_HELP}`;

/** The queries the report needs; the collector passes its own (answered over its query endpoint). */
export type ReportQueries = Pick<UsageQueries, 'costBreakdown' | 'dailyCosts'> & { close(): Promise<void> };

export interface ReportCliDependencies {
  /** Opens the queries for the parsed connection flags. @default createUsageQueries */
  openQueries?: (connection: ClickHouseConnectionOptions) => ReportQueries;
}

interface ReportRow extends UsageTotals {
  key: string;
}

function dimension(by: string): BreakdownDimension | 'day' | undefined {
  if (by === 'day' || by === 'model' || by === 'provider' || by === 'user' || by === 'tenant' || by === 'service') return by;
  if (by === 'request-model') return 'requestModel';
  if (by.startsWith('tag:') && by.length > 4) return { tag: by.slice(4) };
  return undefined;
}

function columns(keyHeader: string): Column<ReportRow>[] {
  return [
    { header: keyHeader, value: (row) => (row.key === '' ? '(none)' : row.key) },
    { header: 'calls', value: (row) => row.calls, numeric: true },
    { header: 'input_tokens', value: (row) => row.inputTokens, numeric: true },
    { header: 'cached_tokens', value: (row) => row.cacheReadTokens, numeric: true },
    { header: 'output_tokens', value: (row) => row.outputTokens, numeric: true },
    { header: 'cost_usd', value: (row) => row.cost, numeric: true },
    { header: 'unpriced_calls', value: (row) => row.unpricedCalls, numeric: true },
  ];
}

/** Sums rows exactly (money as nano-USD bigints) for the table's total line. */
function total(rows: readonly ReportRow[]): ReportRow {
  const nano = (cost: string) => {
    const [whole = '0', fraction = ''] = cost.split('.');
    return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
  };
  const sum = (pick: (row: ReportRow) => number) => rows.reduce((acc, row) => acc + pick(row), 0);
  const format = (value: bigint) => `${value / 1_000_000_000n}.${(value % 1_000_000_000n).toString().padStart(9, '0')}`;
  return {
    key: 'total',
    calls: sum((r) => r.calls),
    inputTokens: sum((r) => r.inputTokens),
    cacheReadTokens: sum((r) => r.cacheReadTokens),
    cacheWriteTokens: sum((r) => r.cacheWriteTokens),
    outputTokens: sum((r) => r.outputTokens),
    reasoningTokens: sum((r) => r.reasoningTokens),
    totalTokens: sum((r) => r.totalTokens),
    cost: format(rows.reduce((acc, row) => acc + nano(row.cost), 0n)),
    billedCost: format(rows.reduce((acc, row) => acc + nano(row.billedCost), 0n)),
    unpricedCalls: sum((r) => r.unpricedCalls),
    unknownUsageCalls: sum((r) => r.unknownUsageCalls),
    errorCalls: sum((r) => r.errorCalls ?? 0),
  };
}

/** `llm-cost report`: cost by day, model, provider, user, tenant, service or tag over the last N days. */
export async function runReportCli(argv: readonly string[], io: CliIo, dependencies: ReportCliDependencies = {}): Promise<number> {
  const result = parseCommand(
    argv,
    io,
    { by: { type: 'string', default: 'day' }, days: { type: 'string', default: '7' }, format: { type: 'string', default: 'table' } },
    USAGE,
  );
  if ('exit' in result) return result.exit;
  const { values, connection } = result.parsed;
  const by = dimension(String(values.by));
  const days = Number(values.days);
  if (by === undefined || !Number.isInteger(days) || days < 1 || days > 3660 || !isOutputFormat(values.format)) {
    io.stderr.write(`llm-cost report: invalid --by, --days or --format\n\n${USAGE}`);
    return 2;
  }
  const format = values.format;
  let queries: ReportQueries | undefined;
  try {
    queries = (dependencies.openQueries ?? createUsageQueries)(connection);
    let rows: ReportRow[];
    if (by === 'day') {
      rows = (await queries.dailyCosts({ days })).map(({ day, ...totals }) => ({ key: day, ...totals }));
    } else {
      const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
      rows = await queries.costBreakdown({ by, from: today - (days - 1) * 86_400_000, to: Date.now() });
    }
    const keyHeader = by === 'day' ? 'day' : typeof by === 'object' ? by.tag : by;
    const printed = format === 'table' && rows.length > 0 ? [...rows, total(rows)] : rows;
    io.stdout.write(formatRows(printed, columns(keyHeader), format));
    return 0;
  } catch (error) {
    io.stderr.write(`llm-cost report: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await queries?.close().catch(() => {});
  }
}
