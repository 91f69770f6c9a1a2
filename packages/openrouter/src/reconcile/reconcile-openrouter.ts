import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import {
  findUnreconciledCalls,
  fromNanoUsd,
  migrate,
  openStore,
  parseNanoUsd as nano,
  readRecordedCosts,
  recordProviderCharges,
  type ProviderCharge,
  type Store,
  type UnreconciledCall,
} from '@llm-cost/clickhouse';
import { getDefaultPricer, type Pricer } from '@llm-cost/pricing';

import { keyForTenant, resolveKeys, type ResolvedKey } from '../config/resolve-keys.js';
import { OpenRouterAuthError, OpenRouterConfigError, OpenRouterRateLimitedError } from '../errors.js';
import { createLimiter } from '../http/limiter.js';
import { createOpenRouterClient, type OpenRouterClient } from '../openrouter-client.js';
import type { GenerationRecord, ReconcileOptions, ReconcileResult } from '../types.js';

type Lookup =
  | { call: UnreconciledCall; key: ResolvedKey; record: GenerationRecord }
  | { call: UnreconciledCall; key: ResolvedKey; record: null }
  | { call: UnreconciledCall; key: ResolvedKey; error: Error };

/** The charge as the store records it: the record's figures, and the billed amount with the tenant's markup. */
export function chargeOf(record: GenerationRecord, call: UnreconciledCall, key: ResolvedKey, pricer: Pricer): ProviderCharge {
  const priced = pricer.priceUsage({
    provider: GEN_AI_PROVIDER.openrouter,
    model: call.responseModel || call.requestModel || record.model,
    usage: { inputTokens: 0, outputTokens: 0 },
    providerReportedCost: record.totalCost,
    timestamp: call.timestampMs,
    ...(call.tenantId ? { tenant: call.tenantId } : {}),
  });
  return {
    chargedCost: record.totalCost,
    billedCost: priced.billedCost ?? record.totalCost,
    chargedModel: record.model,
    upstreamProvider: record.providerName,
    upstreamCost: record.upstreamInferenceCost,
    cacheDiscount: record.cacheDiscount,
    nativeTokens: {
      input: record.nativeTokensPrompt,
      output: record.nativeTokensCompletion,
      reasoning: record.nativeTokensReasoning,
      cached: record.nativeTokensCached,
    },
    streamed: record.streamed,
    cancelled: record.cancelled,
    isByok: record.isByok,
    finishReason: record.finishReason,
    keyFingerprint: key.fingerprint,
  };
}

/** Failures summed by kind, one line each: `OpenRouterApiError (HTTP 500): 3 call(s), e.g. ...`. */
function summarize(errors: Error[]): string[] {
  const groups = new Map<string, { count: number; example: string }>();
  for (const error of errors) {
    const status = (error as { status?: number }).status;
    const kind = `${error.name}${status ? ` (HTTP ${status})` : ''}`;
    const group = groups.get(kind) ?? { count: 0, example: error.message };
    group.count += 1;
    groups.set(kind, group);
  }
  return [...groups].map(([kind, { count, example }]) => `${kind}: ${count} call(s), e.g. ${example}`);
}

export interface ReconcileContext {
  store: Store;
  keys: readonly ResolvedKey[];
  clients: Map<ResolvedKey, OpenRouterClient>;
  pricer: Pricer;
}

/** Clients for every key, created once (a reconciler reuses them across runs). */
export function createReconcileContext(store: Store, options: ReconcileOptions): ReconcileContext {
  const keys = resolveKeys(options);
  const clients = new Map(keys.map((key) => [key, createOpenRouterClient({ ...options, apiKey: key.apiKey })]));
  return { store, keys, clients, pricer: options.pricer ?? getDefaultPricer() };
}

/**
 * One reconciliation run over an open store: pages through the OpenRouter calls of the window (oldest first) that
 * are not reconciled yet, looks each generation up with the key of its tenant (bounded concurrency, retries inside
 * the client), and records what was charged: adjustment rows where the totals differ, a charge row for each.
 * A record not found yet counts as pending and is looked up again by a later run; a refused key or a long rate
 * limit stops the run (what was found so far is recorded).
 */
export async function runReconciliation(context: ReconcileContext, options: ReconcileOptions): Promise<ReconcileResult> {
  const now = options.now ?? Date.now;
  const lookbackMs = options.lookbackMs ?? 86_400_000;
  const delayMs = options.delayMs ?? 60_000;
  const batchSize = options.batchSize ?? 200;
  const maxCalls = options.maxCalls ?? 10_000;
  for (const [name, value] of Object.entries({ lookbackMs, delayMs, batchSize, maxCalls })) {
    if (!Number.isFinite(value) || value < 0 || ((name === 'batchSize' || name === 'maxCalls') && value < 1)) {
      throw new OpenRouterConfigError(`${name} must be a positive number, got ${value}`);
    }
  }
  const dryRun = options.dryRun ?? false;
  const limiter = createLimiter(options.concurrency ?? 4);
  const nowMs = now();
  const result: ReconcileResult = { calls: 0, reconciled: 0, adjusted: 0, pending: 0, failed: 0, costDelta: '0.000000000', errors: [], dryRun };
  let delta = 0n;
  const failures: Error[] = [];
  let after: { timestampMs: number; responseId: string } | undefined;

  while (result.calls < maxCalls && result.stoppedEarly === undefined) {
    const limit = Math.min(batchSize, maxCalls - result.calls);
    const page = await findUnreconciledCalls(context.store, {
      provider: GEN_AI_PROVIDER.openrouter,
      from: nowMs - lookbackMs,
      endedBefore: nowMs - delayMs,
      limit,
      ...(after ? { after } : {}),
    });
    if (page.length === 0) break;
    result.calls += page.length;
    const last = page[page.length - 1]!;
    after = { timestampMs: last.timestampMs, responseId: last.responseId };

    const lookups: Lookup[] = await Promise.all(
      page.map((call) =>
        limiter.run(async (): Promise<Lookup> => {
          const key = keyForTenant(context.keys, call.tenantId);
          // A run that was stopped does not start more lookups.
          if (result.stoppedEarly !== undefined) return { call, key, record: null };
          try {
            return { call, key, record: await context.clients.get(key)!.getGeneration(call.responseId) };
          } catch (error) {
            if (error instanceof OpenRouterAuthError || error instanceof OpenRouterRateLimitedError) {
              result.stoppedEarly ??= error.message;
            }
            return { call, key, error: error as Error };
          }
        }),
      ),
    );
    const found = lookups.filter((lookup): lookup is Extract<Lookup, { record: GenerationRecord }> => 'record' in lookup && lookup.record !== null);
    for (const lookup of lookups) {
      if ('error' in lookup) {
        result.failed += 1;
        failures.push(lookup.error);
      } else if (lookup.record === null) {
        result.pending += 1;
      }
    }
    if (found.length === 0) {
      if (page.length < limit) break;
      continue;
    }
    const charges = found.map(({ call, key, record }) => ({ call, charge: chargeOf(record, call, key, context.pricer) }));
    if (dryRun) {
      const recorded = await readRecordedCosts(context.store, charges.map((entry) => entry.call));
      for (const { call, charge } of charges) {
        const current = recorded.get(call.responseId);
        if (current === undefined) continue;
        result.reconciled += 1;
        const difference = nano(charge.chargedCost) - nano(current.totalCost);
        if (difference !== 0n) result.adjusted += 1;
        delta += difference;
      }
    } else {
      const written = await recordProviderCharges(context.store, charges, { nowMs: now() });
      result.reconciled += written.recorded;
      result.adjusted += written.adjustments.length;
      for (const adjustment of written.adjustments) delta += nano(adjustment.costDelta);
    }
    if (page.length < limit) break;
  }
  result.costDelta = fromNanoUsd(delta);
  result.errors = summarize(failures);
  return result;
}

/** `llm-cost reconcile openrouter` as a function: one run over the store, then the store is closed. */
export async function reconcileOpenRouter(options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const store = openStore(options.clickhouse ?? {});
  try {
    const context = createReconcileContext(store, options);
    if (options.autoMigrate !== false) {
      await migrate({ client: store.client, database: store.database, ...(store.cluster ? { cluster: store.cluster } : {}) });
    }
    return await runReconciliation(context, options);
  } finally {
    await store.close();
  }
}
