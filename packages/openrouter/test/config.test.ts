/** The config file (keys per tenant by environment variable, thresholds, webhooks, durations) and key resolution. */
import { keyFingerprint, parseDuration } from '@llm-cost/clickhouse';
import { describe, expect, it } from 'vitest';

import { parseOpenRouterConfig } from '../src/config/config-file.js';
import { keyForTenant, resolveKeys } from '../src/config/resolve-keys.js';
import { OpenRouterConfigError } from '../src/errors.js';

const env = { KEY_ACME: 'sk-or-v1-acme-0000000000000000000000000000000000000000000000000000000000aa01', KEY_GLOBEX: 'sk-or-v1-globex-00000000000000000000000000000000000000000000000000000000gg02' };

describe('config file', () => {
  it('reads keys by environment variable, thresholds, webhooks and durations (YAML, or JSON under openrouter:)', () => {
    const yaml = [
      'keys:',
      '  - { tenant: acme, apiKeyEnv: KEY_ACME, thresholds: { warning: { remainingUsd: 50 } } }',
      '  - { tenant: globex, apiKeyEnv: KEY_GLOBEX }',
      'thresholds: { critical: { remainingPercent: 2 } }',
      'alerts: { cooldown: 12h, notifyRecovery: false, webhooks: [https://hooks.example.com/a, { url: "https://hooks.slack.com/services/x", format: slack }] }',
      'monitor: { interval: 5m, forecastWindow: 6h }',
      'reconcile: { delay: 90s, lookback: 2d, interval: 10m, concurrency: 2 }',
    ].join('\n');
    expect(parseOpenRouterConfig(yaml, 'llm-cost.yaml', env)).toEqual({
      keys: [
        { apiKey: env.KEY_ACME, tenant: 'acme', thresholds: { warning: { remainingUsd: 50 } } },
        { apiKey: env.KEY_GLOBEX, tenant: 'globex' },
      ],
      thresholds: { critical: { remainingPercent: 2 } },
      webhooks: [{ url: 'https://hooks.example.com/a' }, { url: 'https://hooks.slack.com/services/x', format: 'slack' }],
      cooldownMs: 43_200_000,
      notifyRecovery: false,
      intervalMs: 300_000,
      forecastWindowMs: 21_600_000,
      reconcile: { delayMs: 90_000, lookbackMs: 172_800_000, intervalMs: 600_000, concurrency: 2 },
    });
    const json = JSON.stringify({ openrouter: { keys: [{ apiKeyEnv: 'KEY_ACME' }], baseUrl: 'http://127.0.0.1:1/api/v1' } });
    expect(parseOpenRouterConfig(json, 'llm-cost.json', env)).toMatchObject({ keys: [{ apiKey: env.KEY_ACME }], baseUrl: 'http://127.0.0.1:1/api/v1' });
  });

  it('says what is wrong, and where', () => {
    const fail = (text: string) => () => parseOpenRouterConfig(text, 'f.yaml', env);
    expect(fail('keys: [{ apiKeyEnv: MISSING }]')).toThrow('keys[0]: environment variable MISSING is not set');
    expect(fail('keys: [{ tenant: a }]')).toThrow('keys[0] needs apiKeyEnv');
    expect(fail('keys: [{ apiKeyEnv: KEY_ACME, tennant: a }]')).toThrow('keys[0].tennant is not a setting');
    expect(fail('alerts: { cooldown: soon }')).toThrow('alerts.cooldown must be a duration like 30s, 5m, 24h or 7d, got "soon"');
    expect(fail('alerts: { webhooks: [{ url: x, format: teams }] }')).toThrow('alerts.webhooks[0].format must be json or slack');
    expect(fail('keys: [oops')).toThrow(OpenRouterConfigError);
    expect(fail('monitors: {}')).toThrow('f.yaml.monitors is not a setting');
  });
});

describe('keys', () => {
  it('come from keys, else apiKey, else OPENROUTER_API_KEY; one per tenant', () => {
    expect(resolveKeys({}, { OPENROUTER_API_KEY: env.KEY_ACME })).toEqual([{ apiKey: env.KEY_ACME, fingerprint: '…aa01', tenant: null }]);
    expect(() => resolveKeys({}, {})).toThrow('No OpenRouter API key');
    expect(() => resolveKeys({ keys: [{ apiKey: env.KEY_ACME, tenant: 'a' }, { apiKey: env.KEY_GLOBEX, tenant: 'a' }] })).toThrow('two keys for tenant a');
    expect(() => resolveKeys({ keys: [{ apiKey: env.KEY_ACME }, { apiKey: env.KEY_ACME }] })).toThrow('two keys ending in …aa01 without a tenant');
  });

  it("look a tenant's calls up with its key, others with the key without a tenant", () => {
    const keys = resolveKeys({ keys: [{ apiKey: env.KEY_ACME, tenant: 'acme' }, { apiKey: env.KEY_GLOBEX }] });
    expect(keyForTenant(keys, 'acme').fingerprint).toBe('…aa01');
    expect(keyForTenant(keys, 'other').fingerprint).toBe('…gg02');
    expect(keyForTenant(keys, '').fingerprint).toBe('…gg02');
  });

  it('are shown by their last 4 characters only, and short strings by none', () => {
    expect(keyFingerprint(env.KEY_ACME)).toBe('…aa01');
    expect(keyFingerprint('short')).toBe('…????');
  });

  it('durations', () => {
    expect([parseDuration('500ms', 'x'), parseDuration('30s', 'x'), parseDuration('5m', 'x'), parseDuration('24h', 'x'), parseDuration('7d', 'x')]).toEqual([
      500, 30_000, 300_000, 86_400_000, 604_800_000,
    ]);
    expect(() => parseDuration('-1h', '--since')).toThrow('--since must be a duration');
  });
});
