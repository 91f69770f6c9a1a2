import { usd } from '../format.js';

export interface BarItem {
  key: string;
  cost: string;
  calls: number;
}

interface BarListProps {
  items: BarItem[];
  /** Clicking a bar filters every view by its key. */
  onPick?: (key: string) => void;
  emptyKey?: string;
  testId?: string;
}

/**
 * Horizontal cost bars, largest first. Plain elements (keys are text nodes, never markup), so they can be clicked,
 * read by a screen reader, and laid out at any width.
 */
export function BarList({ items, onPick, emptyKey = '(none)', testId }: BarListProps) {
  const max = Math.max(...items.map((item) => Number(item.cost)), 0);
  if (items.length === 0) return <p class="muted">No calls in this range.</p>;
  return (
    <ul class="bars" data-testid={testId}>
      {items.map((item) => {
        const share = max > 0 ? Number(item.cost) / max : 0;
        return (
          <li key={item.key}>
            <button
              type="button"
              class="bar-row"
              disabled={onPick === undefined}
              onClick={() => onPick?.(item.key)}
              title={`${item.key === '' ? emptyKey : item.key}: ${item.cost} USD, ${item.calls} calls`}
            >
              <span class="bar-label">{item.key === '' ? emptyKey : item.key}</span>
              <span class="bar-track">
                <span class="bar-fill" style={{ width: `${Math.max(share * 100, 0.5)}%` }} />
              </span>
              <span class="bar-value">{usd(item.cost)}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
