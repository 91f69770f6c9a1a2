import { formatRows, type BillDriftEntry, type Column, type OutputFormat } from '@llm-cost/clickhouse';

/** What a row is about: a model, a line item that maps to none, or the whole day. */
function subject(entry: BillDriftEntry): string {
  if (entry.kind === 'total') return 'TOTAL';
  if (entry.kind === 'unmapped') return `(line item) ${entry.lineItem === '' ? '(none)' : entry.lineItem}`;
  return entry.model ?? '';
}

const coverage = (entry: BillDriftEntry, format: OutputFormat) =>
  entry.coverage === null ? '' : format === 'csv' ? String(entry.coverage) : `${(entry.coverage * 100).toFixed(1)}%`;

function columns(format: OutputFormat): Column<BillDriftEntry>[] {
  return [
    { header: 'day', value: (e) => e.day },
    { header: 'provider', value: (e) => e.provider },
    { header: 'model', value: subject },
    { header: 'estimated_usd', value: (e) => e.estimatedCost, numeric: true },
    { header: 'billed_usd', value: (e) => e.billedCost, numeric: true },
    { header: 'difference_usd', value: (e) => e.difference, numeric: true },
    { header: 'coverage', value: (e) => coverage(e, format), numeric: true },
    { header: 'input_seen', value: (e) => e.estimatedInputTokens, numeric: true },
    { header: 'input_billed', value: (e) => e.billedInputTokens, numeric: true },
    { header: 'output_seen', value: (e) => e.estimatedOutputTokens, numeric: true },
    { header: 'output_billed', value: (e) => e.billedOutputTokens, numeric: true },
    { header: 'flag', value: (e) => e.causes.join(' ') },
  ];
}

/** `llm-cost bills drift` output: a table (one line per model, line item and day total), CSV or JSON. */
export function formatDrift(entries: readonly BillDriftEntry[], format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(entries, null, 2)}\n`;
  const text = formatRows(entries, columns(format), format);
  if (format === 'csv') return text;
  const flagged = entries.filter((entry) => entry.kind === 'total' && entry.flagged);
  const notes = flagged.map((entry) => `${entry.day} ${entry.provider}: ${entry.reason}`);
  return notes.length === 0 ? text : `${text}\n${notes.join('\n')}\n`;
}
