/**
 * startCreditMonitor against a loopback OpenRouter whose balances change from check to check, two keys mapped to
 * tenants, webhook receivers (JSON and Slack-compatible) on loopback, and embedded ClickHouse holding the tenant's
 * OpenRouter spend (written by the real pipeline) and the snapshots. The clock is ours (the one faked boundary), so
 * cooldowns are exact without waiting.
 */
import { createPricer } from '@llm-cost/pricing';
import { CostPipeline, openStore, readCreditSnapshots } from '@llm-cost/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startCreditMonitor } from '../src/credits/credit-monitor.js';
import type { CreditAlert, CreditMonitor } from '../src/types.js';
import { keyBody, startFakeOpenRouter, type FakeOpenRouter } from './support/openrouter-server.js';
import { openRouterSpan } from './support/spans.js';
import { captureIo, testStorePath, uniqueDatabase } from './support/store.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';
import { waitFor } from './support/wait.js';

const H = 3_600_000;
const KEY_ACME = 'sk-or-v1-acme-5ecret-0000000000000000000000000000000000000000000000000a1c3';
const KEY_GLOBEX = 'sk-or-v1-globex-5ecret-00000000000000000000000000000000000000000000000g7b9';
const path = testStorePath();

let fake: FakeOpenRouter;
let json: WebhookReceiver;
let slack: WebhookReceiver;

// The acme key's limit and usage at each check (the 6th check finds the limit raised: a top-up).
const ACME = [
  { limit: 10, usage: 2 }, // $8 left, 80%: ok
  { limit: 10, usage: 6.5 }, // $3.50 left: warning
  { limit: 10, usage: 7 }, // still warning: nothing (cooldown)
  { limit: 10, usage: 9.6 }, // $0.40: critical
  { limit: 10, usage: 9.7 }, // still critical: nothing
  { limit: 50, usage: 9.7 }, // $40.30 left, 80.6%: recovered
  { limit: 50, usage: 46 }, // $4 left: warning again, a new incident
  { limit: 50, usage: 46.5 }, // 7 hours later, still warning: reminder
];

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  fake.setKey(KEY_ACME, (call) => keyBody(ACME[Math.min(call, ACME.length) - 1]!));
  // globex: no key limit; the account (readable) has plenty.
  fake.setKey(KEY_GLOBEX, keyBody({ limit: null, usage: 10 }));
  fake.setCredits(KEY_GLOBEX, { data: { total_credits: 100, total_usage: 10 } });
  json = await startWebhookReceiver();
  slack = await startWebhookReceiver();
});
afterAll(async () => {
  await Promise.all([fake.close(), json.close(), slack.close()]);
});

describe('startCreditMonitor', () => {
  const database = uniqueDatabase('monitor');
  const start = Date.now();
  let clock = start;
  const io = captureIo();
  let monitor: CreditMonitor;
  const alerts: CreditAlert[] = [];

  beforeAll(async () => {
    // acme spent $2.40 through OpenRouter in the last day: 2 calls of $1.20, 2 and 3 hours ago.
    const pipeline = new CostPipeline({ path, database, pricer: createPricer() });
    pipeline.submit([
      openRouterSpan({ startMs: start - 2 * H, cost: '1.2', tenant: 'acme' }),
      openRouterSpan({ startMs: start - 3 * H, cost: '1.2', tenant: 'acme' }),
      openRouterSpan({ startMs: start - 3 * H, cost: '5', tenant: 'globex' }),
    ]);
    await pipeline.shutdown();
    monitor = startCreditMonitor({
      keys: [
        { apiKey: KEY_ACME, tenant: 'acme' },
        { apiKey: KEY_GLOBEX, tenant: 'globex' },
      ],
      baseUrl: fake.baseUrl,
      schedule: false,
      cooldownMs: 6 * H,
      webhooks: [{ url: json.url }, { url: slack.url, format: 'slack' }],
      clickhouse: { path, database },
      stdout: io.stdout,
      stderr: io.stderr,
      onAlert: (alert) => alerts.push(alert),
      now: () => clock,
    });
  });
  afterAll(() => monitor.stop());

  it('sends exactly one alert per incident: fall, escalation, recovery, a new fall, a reminder after the cooldown', async () => {
    const levels: string[][] = [];
    for (let index = 0; index < ACME.length; index++) {
      clock = start + index * H + (index === ACME.length - 1 ? 6 * H : 0);
      const checks = await monitor.checkNow();
      levels.push(checks.map((check) => `${check.tenant}:${check.level}`));
    }
    expect(levels.map((round) => round[0])).toEqual([
      'acme:ok',
      'acme:warning',
      'acme:warning',
      'acme:critical',
      'acme:critical',
      'acme:ok',
      'acme:warning',
      'acme:warning',
    ]);
    expect(levels.every((round) => round[1] === 'globex:ok')).toBe(true);

    const bodies = json.bodies() as CreditAlert[];
    expect(bodies.map((alert) => [alert.level, alert.reminder, alert.remainingUsd, alert.tenant, alert.keyFingerprint])).toEqual([
      ['warning', false, 3.5, 'acme', '…a1c3'],
      ['critical', false, 0.4, 'acme', '…a1c3'],
      ['recovered', false, 40.3, 'acme', '…a1c3'],
      ['warning', false, 4, 'acme', '…a1c3'],
      ['warning', true, 3.5, 'acme', '…a1c3'],
    ]);
    expect(bodies[0]).toMatchObject({
      type: 'llm_cost.openrouter_credits',
      previousLevel: 'ok',
      provider: 'openrouter',
      limitUsd: 10,
      remainingPercent: 35,
      basis: 'key',
      reason: 'remaining $3.50 <= $5.00',
      at: new Date(start + H).toISOString(),
    });
    expect(bodies).toEqual(alerts);
    // Slack-compatible receivers get { text } with the same message, and nothing else.
    expect(slack.bodies()).toEqual(bodies.map((alert) => ({ text: alert.message })));
    expect(io.out().trim().split('\n')).toEqual(bodies.map((alert) => `[llm-cost] ${alert.message}`));
  });

  it('forecasts from the faster of the tenant rollup spend and the snapshots, in the alert', () => {
    const [warning] = json.bodies() as CreditAlert[];
    // Rollups: acme spent $2.40 in 24 h = $0.10/h. Snapshots: usage 2 -> 6.5 in the hour since check 1 = $4.50/h.
    expect(warning!.forecast).toMatchObject({ source: 'snapshots', snapshotRatePerHour: 4.5, windowHours: 24 });
    expect(warning!.forecast!.rollupRatePerHour).toBeCloseTo(0.1, 12);
    // $3.50 at $4.50/h: 0.78 h.
    expect(warning!.forecast!.hoursLeft).toBeCloseTo(3.5 / 4.5, 12);
    expect(warning!.message).toBe(
      `OpenRouter credits WARNING for key …a1c3 (tenant acme): $3.50 left (35.0% of $10.00); remaining $3.50 <= $5.00; ` +
        `at the current burn rate ($4.50/h), credits run out in 0.8 hours (on ${new Date(start + H + Math.round((3.5 / 4.5) * H)).toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    );
  });

  it('stores every reading as a snapshot, by fingerprint and tenant', async () => {
    const store = openStore({ path, database });
    const snapshots = await readCreditSnapshots(store, { from: start - H, to: start + 24 * H });
    await store.close();
    expect(snapshots).toHaveLength(ACME.length * 2);
    const acme = snapshots.filter((s) => s.tenantId === 'acme');
    expect(acme.map((s) => [s.level, s.keyRemaining])).toEqual([
      ['ok', '8.000000000'],
      ['warning', '3.500000000'],
      ['warning', '3.000000000'],
      ['critical', '0.400000000'],
      ['critical', '0.300000000'],
      ['ok', '40.300000000'],
      ['warning', '4.000000000'],
      ['warning', '3.500000000'],
    ]);
    expect(acme[0]).toMatchObject({ keyFingerprint: '…a1c3', keyLimit: '10.000000000', keyUsage: '2.000000000', totalCredits: null, remaining: '8.000000000' });
    const globex = snapshots.find((s) => s.tenantId === 'globex');
    expect(globex).toMatchObject({ keyLimit: null, keyRemaining: null, totalCredits: '100.000000000', totalUsage: '10.000000000', remaining: '90.000000000', level: 'ok' });
  });

  it('never puts a key in an alert, a line or a row', async () => {
    const store = openStore({ path, database });
    const rows = await (await store.client.query({ query: `SELECT * FROM \`${database}\`.llm_credit_snapshots`, format: 'JSONEachRow' })).json();
    await store.close();
    const everything = JSON.stringify([json.bodies(), slack.bodies(), io.out(), io.err(), rows]);
    for (const key of [KEY_ACME, KEY_GLOBEX]) {
      expect(everything).not.toContain(key);
      expect(everything).not.toContain('5ecret');
    }
  });
});

describe('monitor on its own schedule', () => {
  it('checks on the interval and stops by itself after maxChecks, reporting a refused key once', async () => {
    const database = uniqueDatabase('scheduled');
    const io = captureIo();
    const wrong = 'sk-or-v1-wrong-5ecret-000000000000000000000000000000000000000000000000dd01';
    const monitor = startCreditMonitor({
      keys: [{ apiKey: KEY_GLOBEX }, { apiKey: wrong, tenant: 'lost' }],
      baseUrl: fake.baseUrl,
      intervalMs: 5,
      maxChecks: 3,
      clickhouse: { path, database },
      stdout: io.stdout,
      stderr: io.stderr,
    });
    await monitor.done;
    expect(monitor.stats()).toEqual({ checks: 3, alerts: 0, failures: 3, webhookFailures: 0 });
    expect(io.err()).toBe('[llm-cost] OpenRouter credits check failed for key …dd01: OpenRouter refused the API key …dd01 (HTTP 401) for /key: User not found.\n');
    const store = openStore({ path, database });
    expect(await readCreditSnapshots(store, { from: 0, to: Date.now() + 1 })).toHaveLength(3);
    await store.close();
    await monitor.stop();
  });

  it('reports a failing webhook without stopping, and keeps alerting', async () => {
    const receiver = await startWebhookReceiver();
    receiver.failNext(500, 500);
    const io = captureIo();
    const key = 'sk-or-v1-low-000000000000000000000000000000000000000000000000000000000lo01';
    fake.setKey(key, keyBody({ limit: 10, usage: 9.5 }));
    const monitor = startCreditMonitor({
      apiKey: key,
      baseUrl: fake.baseUrl,
      schedule: false,
      webhooks: [{ url: receiver.url }],
      clickhouse: false,
      stdout: io.stdout,
      stderr: io.stderr,
    });
    const [check] = await monitor.checkNow();
    expect(check!.alert?.level).toBe('critical');
    await waitFor('both attempts', () => receiver.server.requests.length === 2);
    expect(monitor.stats().webhookFailures).toBe(1);
    expect(io.err()).toContain(`alert webhook ${new URL(receiver.url).host} failed: HTTP 500`);
    expect(io.err()).not.toContain('secret-webhook-token');
    await monitor.stop();
    await receiver.close();
  });
});
