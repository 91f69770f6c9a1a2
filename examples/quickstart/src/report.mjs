// The cost report the quickstart prints: everything here is read from the daily rollups through createUsageQueries.
const pad = (value, width) => String(value).padEnd(width);
const padLeft = (value, width) => String(value).padStart(width);

function table(title, entries) {
  console.log(`\n${title}`);
  console.log(`  ${pad('key', 34)}${padLeft('calls', 7)}${padLeft('input', 10)}${padLeft('cached', 10)}${padLeft('output', 10)}${padLeft('cost USD', 15)}`);
  for (const e of entries) {
    const key = e.key === '' ? '(none)' : e.key;
    const cost = e.unpricedCalls > 0 ? `${e.cost} (+${e.unpricedCalls} unpriced)` : e.cost;
    console.log(
      `  ${pad(key, 34)}${padLeft(e.calls, 7)}${padLeft(e.inputTokens, 10)}${padLeft(e.cacheReadTokens, 10)}` +
        `${padLeft(e.outputTokens, 10)}${padLeft(cost, 15)}`,
    );
  }
}

/** A collector writes in the background: give this run's calls a few seconds to show up in its rollups. */
async function runTotals(queries, { runId, expectedCalls, from, to }) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await queries.usageInPeriod({ tags: { demo_run: runId }, from, to });
    if (run.calls >= expectedCalls || Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function printReport(queries, { runId, expectedCalls }) {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const to = new Date(from.getTime() + 86_400_000);

  const run = await runTotals(queries, { runId, expectedCalls, from, to });
  console.log(
    `\nThis run: ${run.calls} calls, ${run.inputTokens} input tokens (${run.cacheReadTokens} from cache), ` +
      `${run.outputTokens} output tokens, cost ${run.cost} USD` +
      (run.unpricedCalls ? `, ${run.unpricedCalls} calls unpriced` : '') +
      (run.unknownUsageCalls ? `, ${run.unknownUsageCalls} without usage` : ''),
  );

  console.log(`\nToday (${from.toISOString().slice(0, 10)} UTC), all runs stored in the embedded ClickHouse:`);
  table('By user', await queries.costBreakdown({ by: 'user', from, to }));
  table('By model', await queries.costBreakdown({ by: 'model', from, to }));
  table('By feature', await queries.costBreakdown({ by: { tag: 'feature' }, from, to }));
  table('By tenant', await queries.costBreakdown({ by: 'tenant', from, to }));

  const quality = await queries.dataQuality({ from, to });
  const unreconciled = quality.reconciliation?.unreconciledCalls ?? 0;
  console.log(
    `\nData quality: ${quality.unpricedCalls} unpriced calls` +
      (quality.unpricedModels.length ? ` (${quality.unpricedModels.map((m) => `${m.provider}:${m.model}`).join(', ')})` : '') +
      `, ${quality.unknownUsageCalls} calls without usage, ${quality.untaggedCalls} untagged calls, ` +
      `${quality.errorCalls} failed calls, ${unreconciled} OpenRouter calls not yet reconciled with what OpenRouter charged`,
  );
  console.log('\nRead the same data with SQL: llm_calls (one row per call) and the llm_daily_* rollups (docs/SCHEMA.md).');
}
