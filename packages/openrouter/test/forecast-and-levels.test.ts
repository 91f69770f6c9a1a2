/**
 * The pure parts of monitoring: burn-rate and run-out arithmetic (hand-computed cases), the balance that runs out
 * first, levels against thresholds, and the one-alert-per-incident state machine.
 */
import { describe, expect, it } from 'vitest';

import { decideAlert, INITIAL_ALERT_STATE, type AlertState } from '../src/alerts/alert-state.js';
import { effectiveBalance } from '../src/alerts/balance.js';
import { DEFAULT_THRESHOLDS, evaluateLevel, mergeThresholds } from '../src/alerts/thresholds.js';
import { OpenRouterConfigError } from '../src/errors.js';
import { describeForecast, forecastRunOut, rateFromSnapshots, rateFromSpend } from '../src/forecast/burn-rate.js';
import type { CreditLevel, OpenRouterCredits } from '../src/types.js';

const H = 3_600_000;
const NOW = Date.UTC(2026, 1, 3, 12, 0, 0);

function credits(figures: Partial<OpenRouterCredits>): OpenRouterCredits {
  return {
    limit: null,
    usage: 0,
    remaining: null,
    totalCredits: null,
    totalUsage: null,
    isFreeTier: false,
    accountRemaining: null,
    keyFingerprint: '…abcd',
    limitReset: null,
    rateLimit: null,
    checkedAt: new Date(NOW).toISOString(),
    ...figures,
  };
}

describe('burn rate and run-out', () => {
  it('spend over a window: $12 in 24 hours is $0.50 an hour', () => {
    expect(rateFromSpend(12, 24 * H)).toBe(0.5);
    expect(rateFromSpend(0.3, 6 * H)).toBeCloseTo(0.05, 12);
    expect(rateFromSpend(5, 0)).toBeNull();
  });

  it('snapshots: usage 1.00 → 1.50 → 2.50 over 2 hours is $0.75 an hour', () => {
    const points = [
      { atMs: NOW + 2 * H, usageUsd: 2.5 },
      { atMs: NOW, usageUsd: 1 },
      { atMs: NOW + H, usageUsd: 1.5 },
    ];
    expect(rateFromSnapshots(points)).toBe(0.75);
  });

  it('snapshots across a limit reset count the spend since the reset: (1 + 0.5 + 1) / 3 h', () => {
    const points = [
      { atMs: NOW, usageUsd: 9 },
      { atMs: NOW + H, usageUsd: 10 },
      { atMs: NOW + 2 * H, usageUsd: 0.5 },
      { atMs: NOW + 3 * H, usageUsd: 1.5 },
    ];
    expect(rateFromSnapshots(points)).toBeCloseTo(2.5 / 3, 12);
  });

  it('needs two snapshots at different times', () => {
    expect(rateFromSnapshots([{ atMs: NOW, usageUsd: 1 }])).toBeNull();
    expect(rateFromSnapshots([{ atMs: NOW, usageUsd: 1 }, { atMs: NOW, usageUsd: 2 }])).toBeNull();
  });

  it('$12 left at $0.50 an hour runs out in 24 hours, at 12:00 the next day', () => {
    const run = forecastRunOut(12, 0.5, NOW);
    expect(run).toEqual({ hoursLeft: 24, runsOutAtMs: NOW + 24 * H });
    expect(describeForecast(12, 0.5, run, 24)).toBe(
      'at the current burn rate ($0.50/h), credits run out in 24.0 hours (on 2026-02-04 12:00 UTC)',
    );
  });

  it('$74.75 left at $0.31 an hour: 241.13 hours, about 10 days', () => {
    const run = forecastRunOut(74.75, 0.31, NOW);
    expect(run.hoursLeft).toBeCloseTo(241.129032, 5);
    expect(run.runsOutAtMs).toBe(NOW + Math.round((74.75 / 0.31) * H));
    expect(describeForecast(74.75, 0.31, run, 24)).toBe(
      'at the current burn rate ($0.31/h), credits run out in 10.0 days (on 2026-02-13 13:07 UTC)',
    );
  });

  it('nothing spent: no run-out; nothing left: now', () => {
    const idle = forecastRunOut(10, 0, NOW);
    expect(idle).toEqual({ hoursLeft: null, runsOutAtMs: null });
    expect(describeForecast(10, 0, idle, 24)).toBe('nothing spent in the last 24.0 hours: the credits do not run out at the current rate');
    expect(forecastRunOut(0, 1, NOW)).toEqual({ hoursLeft: 0, runsOutAtMs: NOW });
    expect(describeForecast(0, 1, forecastRunOut(0, 1, NOW), 24)).toBe('the credits are used up');
  });
});

describe('the balance that runs out first', () => {
  it('is the key limit when it is lower than the account', () => {
    const balance = effectiveBalance(credits({ limit: 10, remaining: 2.5, totalCredits: 100, totalUsage: 20, accountRemaining: 80 }));
    expect(balance).toEqual({ remaining: 2.5, cap: 10, percent: 25, basis: 'key' });
  });

  it('is the account when the key has no limit or more left', () => {
    expect(effectiveBalance(credits({ limit: null, totalCredits: 50, totalUsage: 45, accountRemaining: 5 }))).toEqual({
      remaining: 5,
      cap: 50,
      percent: 10,
      basis: 'account',
    });
    expect(effectiveBalance(credits({ limit: 100, remaining: 90, totalCredits: 50, totalUsage: 45, accountRemaining: 5 })).basis).toBe('account');
  });

  it('is unknown without a limit and without account access', () => {
    expect(effectiveBalance(credits({ limit: null }))).toEqual({ remaining: null, cap: null, percent: null, basis: null });
  });
});

describe('levels', () => {
  const level = (remaining: number, cap: number, hoursLeft: number | null = null, thresholds = DEFAULT_THRESHOLDS) =>
    evaluateLevel({ remaining, cap, percent: (remaining / cap) * 100, basis: 'key' }, hoursLeft, thresholds);

  it('uses the defaults: warning at $5 or 20% left, critical at $1 or 5%', () => {
    expect(level(50, 100)).toEqual({ level: 'ok', reason: 'remaining $50.00 (50.0% of $100.00)' });
    expect(level(20, 100)).toEqual({ level: 'warning', reason: 'remaining 20.0% of $100.00 <= 20%' });
    expect(level(4.99, 50)).toEqual({ level: 'warning', reason: 'remaining $4.99 <= $5.00' });
    expect(level(5, 100)).toEqual({ level: 'critical', reason: 'remaining 5.0% of $100.00 <= 5%' });
    expect(level(0.5, 1000)).toEqual({ level: 'critical', reason: 'remaining $0.50 <= $1.00' });
  });

  it('reaches a level by forecast when hoursLeft is set', () => {
    const thresholds = mergeThresholds({ warning: { hoursLeft: 48 }, critical: { hoursLeft: 6 } });
    expect(level(80, 100, 72, thresholds).level).toBe('ok');
    expect(level(80, 100, 30, thresholds)).toEqual({ level: 'warning', reason: 'runs out in 30.0 hours <= 2.0 days' });
    expect(level(80, 100, 5, thresholds).level).toBe('critical');
  });

  it('is unknown without a balance', () => {
    expect(evaluateLevel({ remaining: null, cap: null, percent: null, basis: null }, null, DEFAULT_THRESHOLDS).level).toBe('unknown');
  });

  it('merges thresholds level by level and refuses nonsense', () => {
    expect(mergeThresholds({ warning: { remainingUsd: 50 } }, { critical: { remainingPercent: 2 } })).toEqual({
      warning: { remainingUsd: 50 },
      critical: { remainingPercent: 2 },
    });
    expect(() => mergeThresholds({ warning: { remainingUsd: -1 } })).toThrow(OpenRouterConfigError);
    expect(() => mergeThresholds({ warning: { remaining: 5 } as never })).toThrow(/thresholds.warning.remaining is not a threshold/);
  });
});

describe('one alert per incident', () => {
  const options = { cooldownMs: 6 * H, notifyRecovery: true };

  /** Runs levels through the state machine one hour apart and lists what was sent. */
  function run(levels: CreditLevel[], opts = options): string[] {
    let state: AlertState = INITIAL_ALERT_STATE;
    const sent: string[] = [];
    levels.forEach((current, index) => {
      const decision = decideAlert(state, current, NOW + index * H, opts);
      state = decision.state;
      if (decision.alert) sent.push(`${index}:${decision.alert}${decision.reminder ? ' (reminder)' : ''}`);
    });
    return sent;
  }

  it('alerts once when a key falls, once when it gets worse, once when it recovers', () => {
    expect(run(['ok', 'warning', 'warning', 'warning', 'critical', 'critical', 'warning', 'critical', 'ok', 'ok'])).toEqual([
      '1:warning',
      '4:critical',
      '8:recovered',
    ]);
  });

  it('starts a new incident after a recovery', () => {
    expect(run(['warning', 'ok', 'warning'])).toEqual(['0:warning', '1:recovered', '2:warning']);
  });

  it('repeats the current level once the cooldown has passed while the incident lasts', () => {
    expect(run(Array.from({ length: 14 }, () => 'warning' as const))).toEqual(['0:warning', '6:warning (reminder)', '12:warning (reminder)']);
  });

  it('ignores checks that could not tell, and can leave recovery unannounced', () => {
    expect(run(['warning', 'unknown', 'unknown', 'warning'])).toEqual(['0:warning']);
    expect(run(['warning', 'ok'], { ...options, notifyRecovery: false })).toEqual(['0:warning']);
  });
});
