import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { displayUsd } from '../money/usd.js';
import type { CreditAlert, CreditForecast, CreditLevel } from '../types.js';
import type { Balance } from './balance.js';

export interface AlertInput {
  level: 'warning' | 'critical' | 'recovered';
  previousLevel: CreditLevel;
  reminder: boolean;
  keyFingerprint: string;
  tenant: string | null;
  balance: Balance;
  reason: string;
  forecast: CreditForecast | null;
  nowMs: number;
}

const TITLE = { warning: 'WARNING', critical: 'CRITICAL', recovered: 'recovered' } as const;

/** The alert object (webhook JSON body) with its one-line message. Names the key by fingerprint only. */
export function buildAlert(input: AlertInput): CreditAlert {
  const { balance } = input;
  const who = `key ${input.keyFingerprint}${input.tenant ? ` (tenant ${input.tenant})` : ''}`;
  const left =
    balance.remaining === null
      ? 'balance unknown'
      : `${displayUsd(balance.remaining)} left${balance.percent === null ? '' : ` (${balance.percent.toFixed(1)}% of ${displayUsd(balance.cap ?? 0)})`}`;
  const parts = [`OpenRouter credits ${TITLE[input.level]}${input.reminder ? ' (still)' : ''} for ${who}: ${left}`];
  if (input.level !== 'recovered') parts.push(input.reason);
  if (input.forecast) parts.push(input.forecast.text);
  return {
    type: 'llm_cost.openrouter_credits',
    level: input.level,
    previousLevel: input.previousLevel,
    reminder: input.reminder,
    provider: GEN_AI_PROVIDER.openrouter,
    keyFingerprint: input.keyFingerprint,
    tenant: input.tenant,
    remainingUsd: balance.remaining,
    limitUsd: balance.cap,
    remainingPercent: balance.percent === null ? null : Math.round(balance.percent * 100) / 100,
    basis: balance.basis,
    reason: input.reason,
    forecast: input.forecast,
    message: parts.join('; '),
    at: new Date(input.nowMs).toISOString(),
  };
}
