import { fromNanoUsd } from '../budgets/nano-usd.js';
import { InvalidOptionError } from '../errors.js';
import type { BillDriftCause, BillDriftThresholds } from './query-types.js';

/**
 * When a bill and our estimate disagree enough to say so, and why that probably is: one pure decision per entry of
 * `billDrift()` (a day, a model, an unmapped line item), used by `dataQuality()`, `llm-cost doctor` and the CLI.
 */

export interface ResolvedThresholds {
  coverageThreshold: number;
  tokenTolerance: number;
}

/** The figures of one entry, money in nano-USD. */
export interface DriftFigures {
  kind: 'model' | 'unmapped' | 'total';
  estimatedNano: bigint;
  billedNano: bigint;
  estimatedTokens: number;
  billedTokens: number;
  unpricedCalls: number;
  /** Billed cost of line items that map to no model (for a total: the sum of its unmapped entries). */
  unmappedNano: bigint;
}

export interface DriftVerdict {
  flagged: boolean;
  causes: BillDriftCause[];
  reason: string;
}

export function resolveThresholds(input: BillDriftThresholds): ResolvedThresholds {
  const coverageThreshold = input.coverageThreshold ?? 0.95;
  const tokenTolerance = input.tokenTolerance ?? 0.02;
  if (!(coverageThreshold > 0 && coverageThreshold <= 1)) {
    throw new InvalidOptionError(`coverageThreshold must be a number in (0, 1], e.g. 0.95, got ${String(input.coverageThreshold)}`);
  }
  if (!(tokenTolerance >= 0 && tokenTolerance < 1)) {
    throw new InvalidOptionError(`tokenTolerance must be a number in [0, 1), e.g. 0.02, got ${String(input.tokenTolerance)}`);
  }
  return { coverageThreshold, tokenTolerance };
}

/** `estimated / billed` rounded toward zero at 9 decimals (exact for the decimals it shows); null when 0 was billed. */
export function coverageOf(estimatedNano: bigint, billedNano: bigint): number | null {
  if (billedNano <= 0n) return null;
  return Number(fromNanoUsd((estimatedNano * 1_000_000_000n) / billedNano));
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

const CAUSE_TEXT: Record<BillDriftCause, string> = {
  uninstrumented_traffic: 'uninstrumented traffic (calls we never saw)',
  unknown_model: 'unknown model (billed line items we cannot map, or calls we could not price)',
  price_mismatch: 'price mismatch (the tokens agree, the prices do not: negotiated rates, batch or priority tier, a price change)',
  estimate_above_bill: 'estimate above the bill (the report may not be final for this day, or calls were billed elsewhere)',
};

/** Whether an entry is flagged, its likely causes (most likely first) and one line saying so. */
export function checkDrift(figures: DriftFigures, thresholds: ResolvedThresholds): DriftVerdict {
  const { coverageThreshold, tokenTolerance } = thresholds;
  if (figures.kind === 'unmapped') {
    if (figures.billedNano === 0n) return { flagged: false, causes: [], reason: '' };
    return {
      flagged: true,
      causes: ['unknown_model'],
      reason: `${fromNanoUsd(figures.billedNano)} USD billed for a line item that maps to no model: likely ${CAUSE_TEXT.unknown_model}`,
    };
  }
  const coverage = coverageOf(figures.estimatedNano, figures.billedNano);
  const coverageOff =
    coverage === null ? figures.estimatedNano > 0n : coverage < coverageThreshold || coverage > 2 - coverageThreshold;
  const { billedTokens, estimatedTokens } = figures;
  // Relative to the bill's count; a bill without tokens against calls with tokens is as far apart as it gets.
  const tokenGap = billedTokens > 0 ? (billedTokens - estimatedTokens) / billedTokens : estimatedTokens > 0 ? -Infinity : 0;
  const tokensOff = Math.abs(tokenGap) > tokenTolerance;
  if (!coverageOff && !tokensOff) return { flagged: false, causes: [], reason: '' };

  const causes: BillDriftCause[] = [];
  if (tokenGap > tokenTolerance) causes.push('uninstrumented_traffic');
  if (figures.unmappedNano > 0n || figures.unpricedCalls > 0) causes.push('unknown_model');
  if (!tokensOff && coverageOff) causes.push('price_mismatch');
  if (tokenGap < -tokenTolerance) causes.push('estimate_above_bill');
  if (causes.length === 0) causes.push('price_mismatch');

  const parts: string[] = [];
  if (coverageOff) {
    parts.push(
      coverage === null
        ? `nothing billed against ${fromNanoUsd(figures.estimatedNano)} USD estimated`
        : `coverage ${percent(coverage)} (estimated ${fromNanoUsd(figures.estimatedNano)} of ${fromNanoUsd(figures.billedNano)} USD billed; ` +
            `flagged outside ${percent(coverageThreshold)} to ${percent(2 - coverageThreshold)})`,
    );
  }
  if (tokensOff) {
    parts.push(
      `tokens billed ${billedTokens}, seen ${estimatedTokens}` +
        (billedTokens > 0 ? ` (${tokenGap > 0 ? '-' : '+'}${percent(Math.abs(tokenGap))} of the bill; tolerance ${percent(tokenTolerance)})` : ''),
    );
  }
  if (figures.unmappedNano > 0n) parts.push(`${fromNanoUsd(figures.unmappedNano)} USD on line items that map to no model`);
  if (figures.unpricedCalls > 0) parts.push(`${figures.unpricedCalls} call(s) without a price`);
  return { flagged: true, causes, reason: `${parts.join('; ')}: likely ${causes.map((cause) => CAUSE_TEXT[cause]).join(', or ')}` };
}
