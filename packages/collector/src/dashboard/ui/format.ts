/** Display formats. Money arrives as exact decimal strings and is shown rounded; the exact value is in the title. */

const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallUsdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });
const intFormat = new Intl.NumberFormat('en-US');
const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function usd(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  if (n !== 0 && Math.abs(n) < 0.01) return smallUsdFormat.format(n);
  return usdFormat.format(n);
}

export function int(value: number): string {
  return intFormat.format(value);
}

export function compact(value: number): string {
  return value < 10_000 ? intFormat.format(value) : compactFormat.format(value);
}

/** Change against the previous period, e.g. `+12.5%`; undefined when there was nothing before. */
export function change(current: number, previous: number): { text: string; direction: 'up' | 'down' | 'flat' } | undefined {
  if (previous === 0) return current === 0 ? { text: '±0%', direction: 'flat' } : undefined;
  const pct = ((current - previous) / previous) * 100;
  const rounded = Math.abs(pct) >= 10 ? pct.toFixed(0) : pct.toFixed(1);
  if (Number(rounded) === 0) return { text: '±0%', direction: 'flat' };
  return { text: `${pct > 0 ? '+' : ''}${rounded}%`, direction: pct > 0 ? 'up' : 'down' };
}

export function time(iso: string): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}`;
}

export function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${intFormat.format(value)} ms`;
}
