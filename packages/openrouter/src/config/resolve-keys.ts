import { keyFingerprint } from '@llm-cost/clickhouse';

import { OpenRouterConfigError } from '../errors.js';
import type { CreditThresholds } from '../types.js';

/** A key ready to use: the key, who it belongs to, and how it may be named in output. */
export interface ResolvedKey {
  apiKey: string;
  fingerprint: string;
  /** null: no tenant (the default key). */
  tenant: string | null;
  thresholds?: CreditThresholds;
}

export interface KeySources {
  apiKey?: string;
  keys?: ReadonlyArray<{ apiKey: string; tenant?: string; thresholds?: CreditThresholds }>;
}

/**
 * The keys to use: `keys`, else `apiKey`, else env `OPENROUTER_API_KEY`. Two keys for the same tenant, or two keys
 * that would show the same fingerprint and tenant (so alerts and rows could not tell them apart), are refused.
 */
export function resolveKeys(sources: KeySources, env: NodeJS.ProcessEnv = process.env): ResolvedKey[] {
  const given =
    sources.keys && sources.keys.length > 0
      ? sources.keys
      : sources.apiKey !== undefined
        ? [{ apiKey: sources.apiKey }]
        : env.OPENROUTER_API_KEY
          ? [{ apiKey: env.OPENROUTER_API_KEY }]
          : [];
  if (given.length === 0) {
    throw new OpenRouterConfigError('No OpenRouter API key: set OPENROUTER_API_KEY, pass apiKey, or list keys in a config file (--config)');
  }
  const tenants = new Set<string>();
  const identities = new Set<string>();
  return given.map((entry, index) => {
    if (typeof entry.apiKey !== 'string' || entry.apiKey.trim() === '') {
      throw new OpenRouterConfigError(`key #${index + 1}${entry.tenant ? ` (tenant ${entry.tenant})` : ''} is empty`);
    }
    const tenant = entry.tenant === undefined || entry.tenant === '' ? null : entry.tenant;
    const fingerprint = keyFingerprint(entry.apiKey.trim());
    if (tenant !== null && tenants.has(tenant)) throw new OpenRouterConfigError(`two keys for tenant ${tenant}: one key per tenant`);
    const identity = `${tenant ?? ''}\n${fingerprint}`;
    if (identities.has(identity)) {
      throw new OpenRouterConfigError(`two keys ending in ${fingerprint}${tenant ? ` for tenant ${tenant}` : ' without a tenant'} cannot be told apart`);
    }
    if (tenant !== null) tenants.add(tenant);
    identities.add(identity);
    const key: ResolvedKey = { apiKey: entry.apiKey.trim(), fingerprint, tenant };
    if (entry.thresholds !== undefined) key.thresholds = entry.thresholds;
    return key;
  });
}

/** The key to look up a call of `tenant` with: that tenant's key, else the key without a tenant, else the first. */
export function keyForTenant(keys: readonly ResolvedKey[], tenant: string): ResolvedKey {
  return keys.find((key) => key.tenant !== null && key.tenant === tenant) ?? keys.find((key) => key.tenant === null) ?? keys[0]!;
}
