/** Output formats of the CLI reports. */
export type OutputFormat = 'table' | 'csv' | 'json';

export function isOutputFormat(value: unknown): value is OutputFormat {
  return value === 'table' || value === 'csv' || value === 'json';
}

export interface Column<T> {
  header: string;
  value: (row: T) => string | number;
  /** Right-align in tables (numbers). */
  numeric?: boolean;
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders rows as an aligned text table, CSV (RFC 4180) or JSON (the raw objects). */
export function formatRows<T>(rows: readonly T[], columns: readonly Column<T>[], format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const cells = rows.map((row) => columns.map((column) => String(column.value(row))));
  if (format === 'csv') {
    return `${[columns.map((c) => csvField(c.header)), ...cells.map((line) => line.map(csvField))].map((line) => line.join(',')).join('\n')}\n`;
  }
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]!.length)));
  const render = (line: string[]) =>
    line
      .map((cell, index) => (columns[index]!.numeric ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  const header = render(columns.map((c) => c.header));
  return `${[header, '-'.repeat(header.length), ...cells.map(render)].join('\n')}\n`;
}
