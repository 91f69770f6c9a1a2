/**
 * The commands end to end, as `llm-cost credits ...` and `llm-cost reconcile openrouter` run them: a loopback
 * OpenRouter, embedded ClickHouse, the key in the environment (never a flag), a multi-tenant config file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CostPipeline, openStore } from '@llm-cost/clickhouse';
import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCreditsCli } from '../src/cli/credits-cli.js';
import { runReconcileCli } from '../src/cli/reconcile-cli.js';
import { keyBody, projectBody, startFakeOpenRouter, type FakeOpenRouter } from './support/openrouter-server.js';
import { openRouterSpan } from './support/spans.js';
import { captureIo, testStorePath, uniqueDatabase } from './support/store.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const KEY = 'sk-or-v1-cli-5ecret-0000000000000000000000000000000000000000000000000000c11a';
const KEY_B = 'sk-or-v1-cli-5ecret-000000000000000000000000000000000000000000000000000b0b0';
const path = testStorePath();
const database = uniqueDatabase('cli');
const connection = ['--path', path, '--database', database];
let fake: FakeOpenRouter;
let webhook: WebhookReceiver;
const outputs: string[] = [];

async function run(command: typeof runCreditsCli, ...argv: string[]) {
  const io = captureIo();
  const code = await command(argv, io);
  outputs.push(io.out(), io.err());
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  fake.setKey(KEY, projectBody('key-current.json'));
  fake.setCredits(KEY, projectBody('credits.json'));
  fake.setKey(KEY_B, keyBody({ limit: 10, usage: 8.5 }));
  fake.setGeneration('gen-fixture-0008', projectBody('generation-paid.json'));
  webhook = await startWebhookReceiver();
  process.env.OPENROUTER_API_KEY = KEY;
  process.env.OPENROUTER_KEY_TENANT_B = KEY_B;
  // acme spent $3.60 through OpenRouter in the last 24 hours.
  const pipeline = new CostPipeline({ path, database, pricer: createPricer() });
  pipeline.submit([
    openRouterSpan({ startMs: Date.now() - 3_600_000, cost: '0.0014715', id: 'gen-fixture-0008', tenant: 'acme', user: 'u1' }),
    openRouterSpan({ startMs: Date.now() - 7_200_000, cost: '3.5985285', tenant: 'acme', user: 'u2' }),
  ]);
  await pipeline.shutdown();
});

afterAll(async () => {
  delete process.env.OPENROUTER_API_KEY;
  delete process.env.OPENROUTER_KEY_TENANT_B;
  await fake.close();
  await webhook.close();
});

describe('llm-cost credits check', () => {
  it('prints the key, the account and the forecast from the store', async () => {
    const result = await run(runCreditsCli, 'check', '--base-url', fake.baseUrl, '--tenant', 'acme', ...connection);
    expect(result.code).toBe(0);
    expect(result.err).toBe('');
    // $74.50 left; acme's rollup spend: $3.60 in 24 h = $0.15/h; 74.5 / 0.15 = 496.7 hours = 20.7 days.
    expect(result.out).toMatch(
      new RegExp(
        [
          'OpenRouter key …c11a \\(tenant acme\\)',
          '  level      OK: remaining \\$74\\.50 \\(74\\.5% of \\$100\\.00\\)',
          '  limit      \\$100\\.00 \\(resets monthly\\)',
          '  usage      \\$25\\.50 \\(today \\$1\\.25, this week \\$8\\.75, this month \\$25\\.50\\)',
          '  remaining  \\$74\\.50',
          '  account    \\$100\\.50 bought, \\$25\\.75 used, \\$74\\.75 left',
          '  free tier  no',
          '  rate limit 1000 requests / 1h',
          '  forecast   at the current burn rate \\(\\$0\\.15/h\\), credits run out in 20\\.7 days \\(on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)',
          '',
        ].join('\\n'),
      ),
    );
  });

  it('--json gives the issue shape, the level and the forecast', async () => {
    const result = await run(runCreditsCli, 'check', '--json', '--base-url', fake.baseUrl, '--tenant', 'acme', ...connection);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.out) as { keys: Array<Record<string, any>> };
    expect(parsed.keys).toHaveLength(1);
    expect(parsed.keys[0]).toMatchObject({
      keyFingerprint: '…c11a',
      tenant: 'acme',
      level: 'ok',
      credits: { limit: 100, usage: 25.5, remaining: 74.5, usageDaily: 1.25, totalCredits: 100.5, totalUsage: 25.75, isFreeTier: false },
      forecast: { source: 'rollups', windowHours: 24 },
    });
    expect(parsed.keys[0]!.forecast.rollupRatePerHour).toBeCloseTo(0.15, 12);
    expect(parsed.keys[0]!.forecast.hoursLeft).toBeCloseTo(74.5 / 0.15, 6);
  });

  it('checks every key of a config file, and --fail-on makes a low key fail the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-cost-or-config-'));
    const config = join(dir, 'openrouter.yaml');
    writeFileSync(
      config,
      [
        'openrouter:',
        '  keys:',
        '    - { tenant: acme, apiKeyEnv: OPENROUTER_API_KEY }',
        '    - { tenant: beta, apiKeyEnv: OPENROUTER_KEY_TENANT_B, thresholds: { critical: { remainingUsd: 0.1 } } }',
        `  baseUrl: ${fake.baseUrl}`,
      ].join('\n'),
    );
    const result = await run(runCreditsCli, 'check', '--config', config, '--no-store', '--fail-on', 'warning');
    expect(result.code).toBe(1);
    expect(result.out).toContain('OpenRouter key …c11a (tenant acme)\n  level      OK');
    // beta: $1.50 left of $10 (15%): its own critical rule ($0.10, instead of $1 or 5%) is not reached, the warning is.
    expect(result.out).toContain('OpenRouter key …b0b0 (tenant beta)\n  level      WARNING: remaining $1.50 <= $5.00');
    // A key's own rule wins over the flags: --critical-usd 2 would make beta ($1.50) critical, its $0.10 rule does not.
    const clean = await run(runCreditsCli, 'check', '--config', config, '--no-store', '--fail-on', 'critical', '--critical-usd', '2');
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('(tenant beta)\n  level      WARNING');
  });

  it('says clearly when there is no key, and exits 1 for a refused key', async () => {
    const missing = await run(runCreditsCli, 'check', '--api-key-env', 'NO_SUCH_VARIABLE', '--base-url', fake.baseUrl, '--no-store');
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toBe('llm-cost credits check: No OpenRouter API key: set NO_SUCH_VARIABLE (or list keys in a config file with --config)\n');
    process.env.WRONG_KEY = 'sk-or-v1-wrong-5ecret-00000000000000000000000000000000000000000000000000w0';
    const refused = await run(runCreditsCli, 'check', '--api-key-env', 'WRONG_KEY', '--base-url', fake.baseUrl, '--no-store');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('  error      OpenRouter refused the API key …00w0 (HTTP 401) for /key: User not found.');
    delete process.env.WRONG_KEY;
  });

  it('rejects bad usage with exit 2', async () => {
    expect((await run(runCreditsCli, 'check', '--api-key', KEY)).code).toBe(2);
    expect((await run(runCreditsCli, 'bogus')).code).toBe(2);
    expect((await run(runCreditsCli)).code).toBe(2);
    expect((await run(runCreditsCli, 'check', '--fail-on', 'sometimes', '--no-store')).code).toBe(2);
    const help = await run(runCreditsCli, 'monitor', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: llm-cost credits monitor');
  });
});

describe('llm-cost credits monitor and history', () => {
  it('monitors on a short interval, stops by itself, alerts once, and history shows the snapshots', async () => {
    process.env.OPENROUTER_API_KEY = KEY_B;
    const monitor = await run(
      runCreditsCli,
      'monitor',
      '--base-url', fake.baseUrl,
      '--tenant', 'beta',
      '--interval', '10ms',
      '--checks', '3',
      '--webhook', webhook.url,
      ...connection,
    );
    process.env.OPENROUTER_API_KEY = KEY;
    expect(monitor.code, monitor.out + monitor.err).toBe(0);
    const lines = monitor.out.trim().split('\n');
    // One alert (the incident lasts: no repeat within the cooldown), three check lines, the summary.
    expect(lines.filter((line) => line.startsWith('[llm-cost] OpenRouter credits WARNING for key …b0b0 (tenant beta)'))).toHaveLength(1);
    expect(lines.filter((line) => / …b0b0 \(beta\): warning, remaining \$1\.50 <= \$5\.00/.test(line))).toHaveLength(3);
    expect(lines[lines.length - 1]).toBe('credits monitor stopped: 3 check(s), 1 alert(s), 0 failed check(s)');
    expect(webhook.bodies()).toHaveLength(1);
    expect(webhook.bodies()[0]).toMatchObject({ level: 'warning', tenant: 'beta', keyFingerprint: '…b0b0', remainingUsd: 1.5 });

    const table = await run(runCreditsCli, 'history', '--hours', '48', ...connection);
    expect(table.code).toBe(0);
    const rows = table.out.trim().split('\n');
    expect(rows[0]).toMatch(/^time\s+key\s+tenant\s+remaining_usd\s+key_usage_usd\s+usage_daily_usd\s+level\s+burn_rate_usd_per_h\s+runs_out_at$/);
    expect(rows.slice(2)).toHaveLength(3);
    for (const row of rows.slice(2)) expect(row).toMatch(/Z\s+…b0b0\s+beta\s+1\.500000000\s+8\.500000000\s+1\.250000000\s+warning/);

    const json = await run(runCreditsCli, 'history', '--hours', '48', '--format', 'json', '--tenant', 'beta', ...connection);
    const snapshots = JSON.parse(json.out) as Array<Record<string, unknown>>;
    expect(snapshots).toHaveLength(3);
    expect(snapshots[0]).toMatchObject({ keyFingerprint: '…b0b0', tenantId: 'beta', keyLimit: '10.000000000', remaining: '1.500000000', level: 'warning' });
    expect((await run(runCreditsCli, 'history', '--hours', '48', '--key', '…none', ...connection)).out).toBe(
      'no credit snapshots in the last 48 hours (run llm-cost credits monitor)\n',
    );
  });
});

describe('llm-cost reconcile openrouter', () => {
  it('reconciles the calls of the window, and a second run changes nothing', async () => {
    const args = ['openrouter', '--since', '24h', '--delay', '0s', '--base-url', fake.baseUrl, ...connection];
    const first = await run(runReconcileCli, ...args);
    expect(first.code).toBe(0);
    // gen-fixture-0008 is charged 0.0015 (reported 0.0014715); the other call has no record yet.
    expect(first.out).toBe('2 OpenRouter call(s) to reconcile: 1 reconciled, 1 adjusted (0.000028500 USD), 1 not found yet, 0 failed\n');
    const second = await run(runReconcileCli, ...args, '--json');
    expect(JSON.parse(second.out)).toMatchObject({ calls: 1, reconciled: 0, adjusted: 0, pending: 1, costDelta: '0.000000000' });
    const store = openStore({ path, database });
    const [row] = await (
      await store.client.query({
        query: `SELECT toDecimalString(sum(total_cost), 9) AS cost, toString(sum(calls)) AS calls FROM \`${database}\`.llm_daily_by_user WHERE user_id = 'u1'`,
        format: 'JSONEachRow',
      })
    ).json<{ cost: string; calls: string }>();
    await store.close();
    expect(row).toEqual({ cost: '0.001500000', calls: '1' });
  });

  it('asks which provider, and rejects unknown ones', async () => {
    expect((await run(runReconcileCli)).code).toBe(2);
    const unknown = await run(runReconcileCli, 'anthropic');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown provider "anthropic" (openrouter)');
  });
});

describe('privacy', () => {
  it('never printed a key', () => {
    const everything = outputs.join('\n') + JSON.stringify(webhook.bodies());
    for (const secret of [KEY, KEY_B, '5ecret']) expect(everything).not.toContain(secret);
  });
});
