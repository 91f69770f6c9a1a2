import { readFileSync } from 'node:fs';

import { parse } from 'yaml';

import { OpenRouterConfigError } from '../errors.js';
import type { CreditThresholds, MonitorKey, WebhookTarget } from '../types.js';
import { InvalidOptionError, parseDuration } from '@llm-cost/clickhouse';

/**
 * The OpenRouter section of llm-cost's configuration, from a YAML or JSON file (`--config`, env
 * `LLM_COST_OPENROUTER_CONFIG`). Keys are best given by the name of an environment variable (`apiKeyEnv`) so the file
 * holds no secret:
 *
 * ```yaml
 * keys:
 *   - { tenant: acme, apiKeyEnv: OPENROUTER_KEY_ACME, thresholds: { warning: { remainingUsd: 50 } } }
 *   - { tenant: globex, apiKeyEnv: OPENROUTER_KEY_GLOBEX }
 * thresholds: { warning: { remainingPercent: 25 }, critical: { remainingUsd: 2 } }
 * alerts: { cooldown: 12h, webhooks: [{ url: https://hooks.slack.com/services/..., format: slack }] }
 * monitor: { interval: 5m }
 * reconcile: { delay: 60s, interval: 5m }
 * ```
 */
export interface OpenRouterConfig {
  baseUrl?: string;
  keys: MonitorKey[];
  thresholds?: CreditThresholds;
  webhooks: WebhookTarget[];
  cooldownMs?: number;
  notifyRecovery?: boolean;
  intervalMs?: number;
  forecastWindowMs?: number;
  reconcile: { delayMs?: number; lookbackMs?: number; intervalMs?: number; concurrency?: number };
}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new OpenRouterConfigError(`${where} must be a mapping`);
  return value as Json;
}

function only(value: Json, allowed: readonly string[], where: string): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) throw new OpenRouterConfigError(`${where}.${name} is not a setting (${allowed.join(', ')})`);
  }
}

function duration(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new OpenRouterConfigError(`${where} must be a duration`);
  try {
    return parseDuration(value, where);
  } catch (error) {
    // A config file's mistakes are config errors, like every other setting of the file.
    if (error instanceof InvalidOptionError) throw new OpenRouterConfigError(error.message);
    throw error;
  }
}

function readKey(entry: unknown, index: number, env: NodeJS.ProcessEnv): MonitorKey {
  const where = `keys[${index}]`;
  const value = object(entry, where);
  only(value, ['apiKey', 'apiKeyEnv', 'tenant', 'thresholds'], where);
  let apiKey: string | undefined;
  if (typeof value.apiKeyEnv === 'string') {
    apiKey = env[value.apiKeyEnv];
    if (!apiKey) throw new OpenRouterConfigError(`${where}: environment variable ${value.apiKeyEnv} is not set`);
  } else if (typeof value.apiKey === 'string') {
    apiKey = value.apiKey;
  } else {
    throw new OpenRouterConfigError(`${where} needs apiKeyEnv (the name of an environment variable holding the key) or apiKey`);
  }
  const key: MonitorKey = { apiKey };
  if (value.tenant !== undefined) {
    if (typeof value.tenant !== 'string' || value.tenant === '') throw new OpenRouterConfigError(`${where}.tenant must be a non-empty string`);
    key.tenant = value.tenant;
  }
  if (value.thresholds !== undefined) key.thresholds = object(value.thresholds, `${where}.thresholds`) as CreditThresholds;
  return key;
}

function readWebhook(entry: unknown, index: number): WebhookTarget {
  const where = `alerts.webhooks[${index}]`;
  const value = typeof entry === 'string' ? { url: entry } : object(entry, where);
  only(value, ['url', 'format'], where);
  if (typeof value.url !== 'string') throw new OpenRouterConfigError(`${where}.url must be a URL`);
  if (value.format !== undefined && value.format !== 'json' && value.format !== 'slack') {
    throw new OpenRouterConfigError(`${where}.format must be json or slack`);
  }
  return { url: value.url, ...(value.format ? { format: value.format } : {}) };
}

/** Parses a config file's text (YAML or JSON). `file` names it in errors. */
export function parseOpenRouterConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): OpenRouterConfig {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new OpenRouterConfigError(`${file} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  // The file may hold the whole llm-cost configuration with an `openrouter:` section, or only that section.
  const root = object(document, file);
  const config = 'openrouter' in root ? object(root.openrouter, `${file}: openrouter`) : root;
  only(config, ['baseUrl', 'keys', 'thresholds', 'alerts', 'monitor', 'reconcile'], file);
  if (config.keys !== undefined && !Array.isArray(config.keys)) throw new OpenRouterConfigError(`${file}: keys must be a list`);
  const alerts = object(config.alerts, 'alerts');
  only(alerts, ['webhooks', 'cooldown', 'notifyRecovery'], 'alerts');
  const monitor = object(config.monitor, 'monitor');
  only(monitor, ['interval', 'forecastWindow'], 'monitor');
  const reconcile = object(config.reconcile, 'reconcile');
  only(reconcile, ['delay', 'lookback', 'interval', 'concurrency'], 'reconcile');
  if (alerts.webhooks !== undefined && !Array.isArray(alerts.webhooks)) throw new OpenRouterConfigError('alerts.webhooks must be a list');
  const result: OpenRouterConfig = {
    keys: ((config.keys as unknown[] | undefined) ?? []).map((entry, index) => readKey(entry, index, env)),
    webhooks: ((alerts.webhooks as unknown[] | undefined) ?? []).map(readWebhook),
    reconcile: {},
  };
  if (typeof config.baseUrl === 'string') result.baseUrl = config.baseUrl;
  if (config.thresholds !== undefined) result.thresholds = object(config.thresholds, 'thresholds') as CreditThresholds;
  const cooldownMs = duration(alerts.cooldown, 'alerts.cooldown');
  if (cooldownMs !== undefined) result.cooldownMs = cooldownMs;
  if (typeof alerts.notifyRecovery === 'boolean') result.notifyRecovery = alerts.notifyRecovery;
  const intervalMs = duration(monitor.interval, 'monitor.interval');
  if (intervalMs !== undefined) result.intervalMs = intervalMs;
  const windowMs = duration(monitor.forecastWindow, 'monitor.forecastWindow');
  if (windowMs !== undefined) result.forecastWindowMs = windowMs;
  const delayMs = duration(reconcile.delay, 'reconcile.delay');
  if (delayMs !== undefined) result.reconcile.delayMs = delayMs;
  const lookbackMs = duration(reconcile.lookback, 'reconcile.lookback');
  if (lookbackMs !== undefined) result.reconcile.lookbackMs = lookbackMs;
  const reconcileInterval = duration(reconcile.interval, 'reconcile.interval');
  if (reconcileInterval !== undefined) result.reconcile.intervalMs = reconcileInterval;
  if (reconcile.concurrency !== undefined) {
    if (!Number.isInteger(reconcile.concurrency) || (reconcile.concurrency as number) < 1) {
      throw new OpenRouterConfigError('reconcile.concurrency must be a whole number >= 1');
    }
    result.reconcile.concurrency = reconcile.concurrency as number;
  }
  return result;
}

/** Reads and parses a config file. */
export function loadOpenRouterConfig(file: string, env: NodeJS.ProcessEnv = process.env): OpenRouterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OpenRouterConfigError(`cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseOpenRouterConfig(text, file, env);
}
