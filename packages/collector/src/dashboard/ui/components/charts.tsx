import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { usd } from '../format.js';

/**
 * Charts on uPlot: canvas drawing (series names never become markup), a few tens of kilobytes, and fast enough that
 * the overview's first render is bound by the API, not the chart. The charts follow the light or dark theme of the
 * system and their container's width.
 */

const PALETTE = ['#4f7cff', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

export function colorOf(index: number, key?: string): string {
  return key === '(other)' ? '#94a3b8' : PALETTE[index % PALETTE.length]!;
}

function themeColors(): { text: string; grid: string } {
  const style = getComputedStyle(document.documentElement);
  return { text: style.getPropertyValue('--muted').trim() || '#667', grid: style.getPropertyValue('--grid').trim() || '#ddd' };
}

/** Re-renders when the system switches between light and dark. */
function useColorScheme(): boolean {
  const query = matchMedia('(prefers-color-scheme: dark)');
  const [dark, setDark] = useState(query.matches);
  useEffect(() => {
    const update = () => setDark(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return dark;
}

/** Creates the chart in the element, keeps it as wide as the element, destroys it on change or unmount. */
function useChart(build: (width: number) => uPlot | undefined, deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  const dark = useColorScheme();
  useEffect(() => {
    const element = ref.current;
    if (element === null) return undefined;
    const chart = build(Math.max(element.clientWidth, 200));
    if (chart === undefined) return undefined;
    element.append(chart.root);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: chart.height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [...deps, dark]);
  return ref;
}

const DAY_S = 86_400;
const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

function axes(money: boolean): uPlot.Axis[] {
  const { text, grid } = themeColors();
  return [
    { stroke: text, grid: { show: false }, ticks: { stroke: grid }, space: 70 },
    {
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { show: false },
      size: 64,
      values: (_u, values) => values.map((v) => (money ? usd(v) : String(v))),
    },
  ];
}

export interface StackedSeries {
  key: string;
  /** One value per day. */
  values: number[];
}

interface StackedBarsProps {
  /** `YYYY-MM-DD`, oldest first. */
  days: string[];
  series: StackedSeries[];
  /** Clicking a segment of a bar filters by its key. */
  onPick?: (key: string) => void;
  height?: number;
  testId?: string;
}

/** Daily cost as bars stacked by key (provider, model, ...); the legend and the hovered day are plain text below. */
export function StackedBars({ days, series, onPick, height = 260, testId }: StackedBarsProps) {
  const [hover, setHover] = useState<number | undefined>(undefined);
  const x = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
  // Bars are drawn from 0 to the running total, the tallest first, so each key shows as its own segment.
  const cumulative: number[][] = [];
  series.forEach((s, i) => cumulative.push(s.values.map((v, d) => v + (i === 0 ? 0 : cumulative[i - 1]![d]!))));
  const ref = useChart(
    (width) => {
      if (days.length === 0) return undefined;
      const bars = uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
      const order = series.map((_, i) => i).reverse();
      const chart = new uPlot(
        {
          width,
          height,
          tzDate: utc,
          legend: { show: false },
          cursor: { points: { show: false }, drag: { x: false, y: false } },
          scales: { x: { time: true, range: [x[0]! - DAY_S * 0.6, x[x.length - 1]! + DAY_S * 0.6] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
          axes: axes(true),
          series: [
            {},
            ...order.map((i) => ({
              label: series[i]!.key,
              fill: colorOf(i, series[i]!.key),
              stroke: colorOf(i, series[i]!.key),
              width: 0,
              paths: bars,
              points: { show: false },
            })),
          ],
          hooks: { setCursor: [(u) => setHover(u.cursor.idx ?? undefined)] },
        },
        [x, ...order.map((i) => cumulative[i]!)],
      );
      if (onPick) {
        chart.over.addEventListener('click', () => {
          const idx = chart.cursor.idx;
          const top = chart.cursor.top;
          if (idx === null || idx === undefined || top === undefined || top < 0) return;
          const value = chart.posToVal(top, 'y');
          const hit = cumulative.findIndex((cum, i) => value <= cum[idx]! && value > (i === 0 ? 0 : cumulative[i - 1]![idx]!));
          if (hit >= 0 && series[hit]!.key !== '(other)') onPick(series[hit]!.key);
        });
      }
      return chart;
    },
    [JSON.stringify(days), JSON.stringify(series)],
  );
  const shown = hover !== undefined && hover >= 0 && hover < days.length ? hover : undefined;
  return (
    <div class="chart" data-testid={testId}>
      <div ref={ref} class={onPick ? 'chart-canvas pickable' : 'chart-canvas'} />
      <ul class="legend">
        {series.map((s, i) => (
          <li key={s.key}>
            <button type="button" class="legend-item" disabled={!onPick || s.key === '(other)'} onClick={() => onPick?.(s.key)}>
              <span class="swatch" style={{ background: colorOf(i, s.key) }} />
              {s.key === '' ? '(none)' : s.key}
              {shown !== undefined ? <span class="muted"> {usd(s.values[shown]!)}</span> : null}
            </button>
          </li>
        ))}
        {shown !== undefined ? <li class="legend-day">{days[shown]}</li> : null}
      </ul>
    </div>
  );
}

interface LinesProps {
  /** Unix seconds per point, ascending. */
  x: number[];
  series: Array<{ key: string; values: Array<number | null> }>;
  height?: number;
  testId?: string;
}

/** Lines over time (credit balances), one per key. */
export function Lines({ x, series, height = 240, testId }: LinesProps) {
  const ref = useChart(
    (width) =>
      x.length === 0
        ? undefined
        : new uPlot(
            {
              width,
              height,
              tzDate: utc,
              legend: { show: false },
              cursor: { drag: { x: false, y: false } },
              scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
              axes: axes(true),
              series: [{}, ...series.map((s, i) => ({ label: s.key, stroke: colorOf(i), width: 2, spanGaps: true, points: { size: 4 } }))],
            },
            [x, ...series.map((s) => s.values)],
          ),
    [JSON.stringify(x), JSON.stringify(series)],
  );
  return (
    <div class="chart" data-testid={testId}>
      <div ref={ref} class="chart-canvas" />
      <ul class="legend">
        {series.map((s, i) => (
          <li key={s.key}>
            <span class="legend-item">
              <span class="swatch" style={{ background: colorOf(i) }} />
              {s.key}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
