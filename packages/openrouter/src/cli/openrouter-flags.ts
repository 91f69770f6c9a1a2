import { loadOpenRouterConfig, type OpenRouterConfig } from '../config/config-file.js';
import { OpenRouterConfigError } from '../errors.js';
import type { CreditThresholds, MonitorKey, ThresholdRule } from '../types.js';

/** Flags every OpenRouter command takes (with the store's connection flags). Keys never come from a flag. */
export const OPENROUTER_FLAGS = {
  config: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-env': { type: 'string' },
  tenant: { type: 'string' },
} as const;

export const OPENROUTER_HELP = `OpenRouter (keys are read from the environment or a config file, never from a flag):
  --config FILE        keys per tenant, thresholds, webhooks (YAML/JSON)  env LLM_COST_OPENROUTER_CONFIG
  --api-key-env NAME   environment variable holding the key            (default OPENROUTER_API_KEY)
  --tenant NAME        tenant of that key
  --base-url URL       OpenRouter API base URL                         env OPENROUTER_BASE_URL
`;

export const THRESHOLD_FLAGS = {
  'warning-usd': { type: 'string' },
  'warning-percent': { type: 'string' },
  'warning-hours': { type: 'string' },
  'critical-usd': { type: 'string' },
  'critical-percent': { type: 'string' },
  'critical-hours': { type: 'string' },
} as const;

export const THRESHOLD_HELP = `Thresholds (a level is reached when any of its conditions holds; flags replace the config's rule of that level):
  --warning-usd X  --warning-percent P  --warning-hours H     (default: $5 or 20% left)
  --critical-usd X --critical-percent P --critical-hours H    (default: $1 or 5% left)
`;

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface OpenRouterSetup {
  keys: MonitorKey[];
  baseUrl?: string;
  config?: OpenRouterConfig;
  /** Thresholds of the config file, then of the flags. */
  thresholds?: CreditThresholds;
}

function number(values: FlagValues, flag: string): number | undefined {
  const value = values[flag];
  if (typeof value !== 'string') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new OpenRouterConfigError(`--${flag} must be a number >= 0, got ${value}`);
  return parsed;
}

function flagRule(values: FlagValues, level: 'warning' | 'critical'): ThresholdRule | undefined {
  const rule: ThresholdRule = {};
  const usd = number(values, `${level}-usd`);
  const percent = number(values, `${level}-percent`);
  const hours = number(values, `${level}-hours`);
  if (usd !== undefined) rule.remainingUsd = usd;
  if (percent !== undefined) rule.remainingPercent = percent;
  if (hours !== undefined) rule.hoursLeft = hours;
  return Object.keys(rule).length === 0 ? undefined : rule;
}

/** Keys, base URL and thresholds from the flags, the config file and the environment. */
export function openRouterSetup(values: FlagValues, env: NodeJS.ProcessEnv = process.env): OpenRouterSetup {
  const file = typeof values.config === 'string' ? values.config : env.LLM_COST_OPENROUTER_CONFIG || undefined;
  const config = file === undefined ? undefined : loadOpenRouterConfig(file, env);
  const setup: OpenRouterSetup = { keys: [] };
  if (config) setup.config = config;
  const baseUrl = typeof values['base-url'] === 'string' ? values['base-url'] : config?.baseUrl;
  if (baseUrl !== undefined) setup.baseUrl = baseUrl;
  if (config && config.keys.length > 0 && values['api-key-env'] === undefined) {
    setup.keys = config.keys;
  } else {
    const variable = typeof values['api-key-env'] === 'string' ? values['api-key-env'] : 'OPENROUTER_API_KEY';
    const apiKey = env[variable];
    if (!apiKey) throw new OpenRouterConfigError(`No OpenRouter API key: set ${variable} (or list keys in a config file with --config)`);
    setup.keys = [{ apiKey, ...(typeof values.tenant === 'string' && values.tenant !== '' ? { tenant: values.tenant } : {}) }];
  }
  const warning = flagRule(values, 'warning');
  const critical = flagRule(values, 'critical');
  const thresholds: CreditThresholds = { ...config?.thresholds };
  if (warning) thresholds.warning = warning;
  if (critical) thresholds.critical = critical;
  if (thresholds.warning !== undefined || thresholds.critical !== undefined) setup.thresholds = thresholds;
  return setup;
}
