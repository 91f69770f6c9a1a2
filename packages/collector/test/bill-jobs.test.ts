/**
 * The collector syncs the providers' own bills when given a bills configuration (issue 14): it reads a loopback
 * OpenAI admin report into its store right away (then daily), logs each sync with the key's fingerprint only, logs a
 * refused key as a failed sync without stopping, and answers `billDrift` on its query endpoint, which `llm-cost bills
 * drift` uses while the collector holds the embedded store.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createCollectorQueries, createJsonLogger, runCli, startCollector, type RunningCollector } from '../src/index.js';
import {
  anthropicCost,
  anthropicMessages,
  openAiCompletions,
  openAiCost,
  openAiEmbeddings,
  startAnthropicAdmin,
  startOpenAiAdmin,
  type AdminServer,
} from '../../bills/test/support/admin-servers.js';
import { waitFor } from './helpers/collector-fixture.js';

const OPENAI_KEY = 'sk-admin-collector-test-00000000000000000000000000000000000000000000co01';
const WRONG_ANTHROPIC_KEY = 'sk-ant-admin01-revoked-key-00000000000000000000000000000000000000000co02';
const DAY = 86_400_000;
const yesterday = new Date(Math.floor(Date.now() / DAY) * DAY - DAY).toISOString().slice(0, 10);
const dir = mkdtempSync(join(tmpdir(), 'llm-cost-collector-bills-'));
const lines: string[] = [];
let openai: AdminServer;
let anthropic: AdminServer;
let collector: RunningCollector;

beforeAll(async () => {
  openai = await startOpenAiAdmin([OPENAI_KEY]);
  openai.setDay('costs', yesterday, [openAiCost('gpt-4o-2024-08-06, input', 1.25), openAiCost('gpt-4o-2024-08-06, output', 2.5)]);
  openai.setDay('completions', yesterday, [openAiCompletions('gpt-4o-2024-08-06', { input: 500_000, output: 250_000, requests: 90 })]);
  openai.setDay('embeddings', yesterday, [openAiEmbeddings('text-embedding-3-small', 0, 0)]);
  anthropic = await startAnthropicAdmin(['sk-ant-admin01-the-right-one-000000000000000000000000000000000000000000']);
  anthropic.setDay('cost_report', yesterday, [anthropicCost('Claude Sonnet 4 Usage - Input Tokens', '100', { model: 'claude-sonnet-4-20250514' })]);
  anthropic.setDay('messages', yesterday, [anthropicMessages('claude-sonnet-4-20250514', { uncached: 1000, output: 10 })]);
  process.env.LLM_COST_TEST_OPENAI_ADMIN = OPENAI_KEY;
  process.env.LLM_COST_TEST_ANTHROPIC_ADMIN = WRONG_ANTHROPIC_KEY;
  const config = join(dir, 'bills.yaml');
  writeFileSync(
    config,
    [
      'bills:',
      '  interval: 24h',
      '  lookback: 3d',
      '  organizations:',
      `    - { provider: openai, adminKeyEnv: LLM_COST_TEST_OPENAI_ADMIN, baseUrl: ${openai.baseUrl} }`,
      `    - { provider: anthropic, adminKeyEnv: LLM_COST_TEST_ANTHROPIC_ADMIN, baseUrl: ${anthropic.baseUrl} }`,
    ].join('\n'),
  );
  collector = await startCollector({
    port: 0,
    path: join(dir, 'store'),
    bills: config,
    logger: createJsonLogger({ level: 'debug', write: (line) => void lines.push(line) }),
  });
});

afterAll(async () => {
  await collector.close();
  delete process.env.LLM_COST_TEST_OPENAI_ADMIN;
  delete process.env.LLM_COST_TEST_ANTHROPIC_ADMIN;
  await openai.close();
  await anthropic.close();
  rmSync(dir, { recursive: true, force: true });
});

const logged = (msg: string) => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === msg);

describe('collector with a bills configuration', () => {
  it('syncs each organization at start, logging the result and a refused key by fingerprint only', async () => {
    await waitFor(() => logged('provider bills synced').length > 0 && logged('provider bill sync failed').length > 0, 'the first sync of both organizations');
    expect(logged('provider bills synced')[0]).toMatchObject({ level: 'info', provider: 'openai', keyFingerprint: '…co01', days: 4, written: 4 + 4, billedCost: '3.750000000' });
    const failed = logged('provider bill sync failed')[0]!;
    expect(failed).toMatchObject({ level: 'warn', provider: 'anthropic', keyFingerprint: '…co02' });
    expect(failed.error).toMatch(/^Anthropic refused the admin key …co02 \(HTTP 401\).*Anthropic Admin API key \(sk-ant-admin\.\.\.\)/);
    const everything = lines.join('');
    expect(everything).not.toContain(OPENAI_KEY);
    expect(everything).not.toContain(WRONG_ANTHROPIC_KEY);
  });

  it('answers billDrift on its query endpoint, and llm-cost bills drift reads through it', async () => {
    const queries = createCollectorQueries({ url: collector.url });
    const drift = await queries.billDrift({ from: yesterday, to: new Date(Date.now() + DAY).toISOString() });
    expect(drift.filter((e) => e.day === yesterday).map((e) => [e.kind, e.model, e.billedCost, e.coverage, e.causes])).toEqual([
      ['model', 'gpt-4o-2024-08-06', '3.750000000', 0, ['uninstrumented_traffic']],
      ['total', null, '3.750000000', 0, ['uninstrumented_traffic']],
    ]);
    let out = '';
    let err = '';
    const code = await runCli(['bills', 'drift', '--days', '3', '--json', '--collector-url', collector.url], {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
    }, 'test');
    expect(err).toBe('');
    expect(code).toBe(0);
    const entries = JSON.parse(out) as typeof drift;
    expect(entries.filter((e) => e.day >= yesterday)).toEqual(drift);
    // The day before yesterday was read too (lookback 3d) and billed nothing.
    expect(entries.filter((e) => e.day < yesterday).map((e) => [e.kind, e.billedCost])).toEqual([['total', '0.000000000']]);
  });
});
