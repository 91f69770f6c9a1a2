/**
 * The forecast arithmetic, pure: burn rates in USD per hour from spend over a window or from balance snapshots, and
 * when the balance reaches zero at that rate. Tested with hand-computed cases.
 */

import { displayUsd } from '../money/usd.js';

const HOUR_MS = 3_600_000;

/** USD per hour of `spentUsd` spent over `windowMs`; null for an empty window. */
export function rateFromSpend(spentUsd: number, windowMs: number): number | null {
  if (!(windowMs > 0) || !Number.isFinite(spentUsd)) return null;
  return Math.max(0, spentUsd) / (windowMs / HOUR_MS);
}

/**
 * USD per hour from usage readings over time: the growth between consecutive readings, summed, over the time they
 * span. A reading below the previous one is a limit reset (daily / weekly / monthly limits start again from 0): the
 * spend since the reset is the new reading itself. Null with fewer than two readings or no time between them.
 */
export function rateFromSnapshots(points: ReadonlyArray<{ atMs: number; usageUsd: number }>): number | null {
  const sorted = [...points].filter((p) => Number.isFinite(p.atMs) && Number.isFinite(p.usageUsd)).sort((a, b) => a.atMs - b.atMs);
  if (sorted.length < 2) return null;
  const spanMs = sorted[sorted.length - 1]!.atMs - sorted[0]!.atMs;
  if (spanMs <= 0) return null;
  let spent = 0;
  for (let i = 1; i < sorted.length; i++) {
    const growth = sorted[i]!.usageUsd - sorted[i - 1]!.usageUsd;
    spent += growth >= 0 ? growth : sorted[i]!.usageUsd;
  }
  return spent / (spanMs / HOUR_MS);
}

/** When `remainingUsd` is gone at `ratePerHour`: now when nothing is left, never (nulls) when nothing is spent. */
export function forecastRunOut(
  remainingUsd: number,
  ratePerHour: number,
  nowMs: number,
): { hoursLeft: number | null; runsOutAtMs: number | null } {
  if (remainingUsd <= 0) return { hoursLeft: 0, runsOutAtMs: nowMs };
  if (!(ratePerHour > 0)) return { hoursLeft: null, runsOutAtMs: null };
  const hoursLeft = remainingUsd / ratePerHour;
  return { hoursLeft, runsOutAtMs: nowMs + Math.round(hoursLeft * HOUR_MS) };
}

export function formatHours(hours: number): string {
  return hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
}

/** `2026-02-03 22:00 UTC` */
export function formatUtcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** USD per hour for people: `$0.50/h`, `$0.0042/h`. */
export function formatRate(ratePerHour: number): string {
  return `${displayUsd(ratePerHour)}/h`;
}

/** The forecast in one phrase, as shown by `credits check` and in alerts. */
export function describeForecast(
  remainingUsd: number,
  ratePerHour: number,
  run: { hoursLeft: number | null; runsOutAtMs: number | null },
  windowHours: number,
): string {
  if (remainingUsd <= 0) return 'the credits are used up';
  if (run.hoursLeft === null || run.runsOutAtMs === null) {
    return `nothing spent in the last ${formatHours(windowHours)}: the credits do not run out at the current rate`;
  }
  return (
    `at the current burn rate (${formatRate(ratePerHour)}), credits run out in ${formatHours(run.hoursLeft)} ` +
    `(on ${formatUtcMinute(run.runsOutAtMs)})`
  );
}
