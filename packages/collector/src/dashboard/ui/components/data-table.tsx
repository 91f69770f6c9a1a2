import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface TableColumn<T> {
  id: string;
  label: string;
  /** The sort value; numbers sort descending first. */
  sort?: (row: T) => number | string;
  render: (row: T) => ComponentChildren;
  numeric?: boolean;
}

interface DataTableProps<T> {
  columns: TableColumn<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Clicking a row (not a link in it) filters by it. */
  onRowClick?: (row: T) => void;
  initialSort?: string;
  testId?: string;
  empty?: string;
}

/** A sortable table: click a header to sort by it, again to reverse. Cells are text unless a column renders a link. */
export function DataTable<T>({ columns, rows, rowKey, onRowClick, initialSort, testId, empty = 'Nothing in this range.' }: DataTableProps<T>) {
  const [sort, setSort] = useState<{ id: string; desc: boolean } | undefined>(initialSort ? { id: initialSort, desc: true } : undefined);
  const column = columns.find((c) => c.id === sort?.id);
  const sorted = column?.sort
    ? [...rows].sort((a, b) => {
        const x = column.sort!(a);
        const y = column.sort!(b);
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return sort!.desc ? -order : order;
      })
    : rows;
  return (
    <div class="table-wrap">
      <table class="table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.id} class={c.numeric ? 'num' : ''} aria-sort={sort?.id === c.id ? (sort.desc ? 'descending' : 'ascending') : undefined}>
                {c.sort ? (
                  <button
                    type="button"
                    class="sort"
                    onClick={() => setSort({ id: c.id, desc: sort?.id === c.id ? !sort.desc : true })}
                  >
                    {c.label}
                    {sort?.id === c.id ? (sort.desc ? ' ↓' : ' ↑') : ''}
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="muted">
                {empty}
              </td>
            </tr>
          ) : (
            sorted.map((row) => (
              <tr
                key={rowKey(row)}
                class={onRowClick ? 'clickable' : ''}
                onClick={(event) => {
                  if ((event.target as HTMLElement).closest('a, button')) return;
                  onRowClick?.(row);
                }}
              >
                {columns.map((c) => (
                  <td key={c.id} class={c.numeric ? 'num' : ''}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
