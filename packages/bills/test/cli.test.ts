/**
 * `llm-cost bills sync openai|anthropic` and `llm-cost bills drift` (table, --json, --csv) against loopback admin
 * servers and a temporary embedded store, with keys from the environment or a config file, never from a flag.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CostPipeline } from '@llm-cost/clickhouse';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  INSTRUMENTATION_SCOPE_NAME,
} from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { captureIo, testStorePath, uniqueDatabase } from '../../../test/support/index.js';
import { parseBillsConfig } from '../src/config/config-file.js';
import { runBillsCli } from '../src/cli/bills-cli.js';
import { anthropicCost, anthropicMessages, openAiCompletions, openAiCost, openAiEmbeddings, startAnthropicAdmin, startOpenAiAdmin, type AdminServer } from './support/admin-servers.js';

const OPENAI_KEY = 'sk-admin-cli-test-00000000000000000000000000000000000000000000000000cl01';
const ANTHROPIC_KEY = 'sk-ant-admin01-cli-test-0000000000000000000000000000000000000000000cl02';
const path = testStorePath('llm-cost-bills-cli-');
const database = uniqueDatabase('cli');
const dir = mkdtempSync(join(tmpdir(), 'llm-cost-bills-cli-config-'));
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const yesterday = new Date(today - DAY).toISOString().slice(0, 10);
const connection = ['--path', path, '--database', database];
let openai: AdminServer;
let anthropic: AdminServer;

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo();
  const code = await runBillsCli(argv, io, { env });
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  openai = await startOpenAiAdmin([OPENAI_KEY]);
  anthropic = await startAnthropicAdmin([ANTHROPIC_KEY]);
  // Yesterday OpenAI billed 0.00105 USD for gpt-4o-mini (5 calls' worth) and 0.025 for web search.
  openai.setDay('costs', yesterday, [
    openAiCost('gpt-4o-mini, input', 0.00075),
    openAiCost('gpt-4o-mini, output', 0.0003),
    openAiCost('web search tool calls', 0.025, null),
  ]);
  openai.setDay('completions', yesterday, [openAiCompletions('gpt-4o-mini', { input: 5000, output: 500, requests: 5 })]);
  openai.setDay('embeddings', yesterday, [openAiEmbeddings('text-embedding-3-small', 0, 0)]);
  anthropic.setDay('cost_report', yesterday, [anthropicCost('Claude Haiku 3.5 Usage - Input Tokens', '0.16', { model: 'claude-3-5-haiku-20241022' })]);
  anthropic.setDay('messages', yesterday, [anthropicMessages('claude-3-5-haiku-20241022', { uncached: 2000, output: 0 })]);
  // The calls we saw: 4 of the 5 gpt-4o-mini calls (0.00021 USD each at list price).
  const pipeline = new CostPipeline({ path, database, pricer: createPricer(), dedupHoldMs: 0 });
  const start = today - DAY + 3_600_000;
  const spans = Array.from({ length: 4 }, (_, index) => ({
    name: 'chat gpt-4o-mini',
    traceId: `${index + 1}`.padStart(32, 'c'),
    spanId: `${index + 1}`.padStart(16, 'd'),
    startTime: [Math.floor((start + index) / 1000), ((start + index) % 1000) * 1e6] as const,
    endTime: [Math.floor((start + index) / 1000) + 1, 0] as const,
    attributes: {
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
    },
    resource: { attributes: { 'service.name': 'cli-test' } },
    scope: { name: INSTRUMENTATION_SCOPE_NAME },
  }));
  expect(pipeline.submit(spans).status).toBe('accepted');
  expect((await pipeline.flush()).drained).toBe(true);
  await pipeline.shutdown();
});

afterAll(async () => {
  await openai.close();
  await anthropic.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('llm-cost bills sync', () => {
  it('syncs OpenAI with the key from the environment and says what it read', async () => {
    const result = await run(['sync', 'openai', '--since', '2d', '--base-url', openai.baseUrl, ...connection], { OPENAI_ADMIN_KEY: OPENAI_KEY });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^openai with admin key …cl01: 3 day\(s\) read, 5 report line\(s\), 0\.026050000 USD billed; 3 day\(s\) new or revised, 0 unchanged, 8 row\(s\) written\n/);
    expect(result.out).toContain('line items without a model (their own rows): web search tool calls');
    const again = await run(['sync', 'openai', '--since', '2d', '--base-url', openai.baseUrl, '--json', ...connection], { OPENAI_ADMIN_KEY: OPENAI_KEY });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual([expect.objectContaining({ provider: 'openai', written: 0, days: 3, keyFingerprint: '…cl01' })]);
  });

  it('syncs the organizations of a config file, the key named by its environment variable', async () => {
    const file = join(dir, 'bills.yaml');
    writeFileSync(file, ['bills:', '  organizations:', `    - { provider: anthropic, adminKeyEnv: TEST_ANTHROPIC_ADMIN, account: research, baseUrl: ${anthropic.baseUrl} }`].join('\n'));
    const result = await run(['sync', 'anthropic', '--since', '1d', '--config', file, ...connection], { TEST_ANTHROPIC_ADMIN: ANTHROPIC_KEY });
    expect(result.err).toBe('');
    expect(result.out).toMatch(/^anthropic \(research\) with admin key …cl02: 2 day\(s\) read, 2 report line\(s\), 0\.001600000 USD billed/);
  });

  it('without a key, or with a refused one, exits 1 naming the key needed and never the key', async () => {
    const none = await run(['sync', 'openai', ...connection], {});
    expect(none.code).toBe(1);
    expect(none.err).toContain('No OpenAI admin key: set OPENAI_ADMIN_KEY');
    expect(none.err).toContain('OpenAI Admin key (sk-admin-...)');
    const wrong = 'sk-proj-wrong-key-for-the-cli-000000000000000000000000000000000000000wr01';
    const refused = await run(['sync', 'openai', '--base-url', openai.baseUrl, ...connection], { OPENAI_ADMIN_KEY: wrong });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^llm-cost bills sync openai: OpenAI refused the admin key …wr01 \(HTTP 401\)/);
    expect(refused.err + refused.out).not.toContain(wrong);
  });

  it('refuses a provider it cannot read and a key given as a flag', async () => {
    expect((await run(['sync', 'gemini'])).code).toBe(2);
    const flag = await run(['sync', 'openai', '--admin-key', OPENAI_KEY]);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("Unknown option '--admin-key'");
  });
});

describe('llm-cost bills drift', () => {
  it('prints a table: each model, each unmapped line item, each day, and why a day is flagged', async () => {
    const result = await run(['drift', '--days', '3', ...connection]);
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^day\s+provider\s+model\s+estimated_usd\s+billed_usd\s+difference_usd\s+coverage\s+input_seen\s+input_billed\s+output_seen\s+output_billed\s+flag$/);
    const cells = lines.map((line) => line.split(/\s{2,}/));
    const row = (provider: string, subject: string) => cells.find((c) => c[0] === yesterday && c[1] === provider && c[2] === subject);
    expect(row('openai', 'gpt-4o-mini')).toEqual([yesterday, 'openai', 'gpt-4o-mini', '0.000840000', '0.001050000', '0.000210000', '80.0%', '4000', '5000', '400', '500', 'uninstrumented_traffic']);
    expect(row('openai', '(line item) web search tool calls')!.slice(3, 7)).toEqual(['0.000000000', '0.025000000', '0.025000000', '0.0%']);
    expect(row('openai', 'TOTAL')!.slice(3, 7)).toEqual(['0.000840000', '0.026050000', '0.025210000', '3.2%']);
    // We saw no Anthropic call at all: the whole bill is traffic we never saw.
    expect(row('anthropic', 'TOTAL')!.slice(3, 7)).toEqual(['0.000000000', '0.001600000', '0.001600000', '0.0%']);
    expect(result.out).toContain(`${yesterday} openai: coverage 3.2%`);
    expect(result.out).toContain('likely uninstrumented traffic (calls we never saw), or unknown model');
  });

  it('prints JSON and CSV', async () => {
    const json = await run(['drift', '--days', '3', '--provider', 'openai', '--json', ...connection]);
    const entries = JSON.parse(json.out) as Array<Record<string, unknown>>;
    expect(entries.find((e) => e.day === yesterday && e.model === 'gpt-4o-mini')).toMatchObject({
      kind: 'model',
      estimatedCost: '0.000840000',
      billedCost: '0.001050000',
      coverage: 0.8,
      causes: ['uninstrumented_traffic'],
    });
    expect(entries.every((e) => e.provider === 'openai')).toBe(true);
    const csv = await run(['drift', '--days', '3', '--provider', 'openai', '--csv', ...connection]);
    expect(csv.out.split('\n')).toContain(`${yesterday},openai,gpt-4o-mini,0.000840000,0.001050000,0.000210000,0.8,4000,5000,400,500,uninstrumented_traffic`);
    expect(csv.out.split('\n')).toContain(`${yesterday},openai,(line item) web search tool calls,0.000000000,0.025000000,0.025000000,0,0,0,0,0,unknown_model`);
  });

  it('--fail-on-drift exits 1 on a flagged day; looser thresholds let it pass', async () => {
    expect((await run(['drift', '--days', '3', '--fail-on-drift', ...connection])).code).toBe(1);
    const loose = await run(['drift', '--days', '3', '--provider', 'openai', '--fail-on-drift', '--min-coverage', '0.03', '--token-tolerance', '0.25', ...connection]);
    expect(loose.code).toBe(0);
    expect(loose.out).not.toContain('likely');
    expect((await run(['drift', '--min-coverage', '95', ...connection])).err).toContain('--min-coverage must be a number above 0, at most 1, got 95');
  });
});

describe('config file', () => {
  it('reads organizations by environment variable, interval and lookback; refuses what cannot work', () => {
    const env = { OA: OPENAI_KEY, AN: ANTHROPIC_KEY };
    expect(
      parseBillsConfig(
        'bills:\n  interval: 12h\n  lookback: 7d\n  organizations:\n    - { provider: openai, adminKeyEnv: OA }\n    - { provider: anthropic, adminKeyEnv: AN, modelMapping: { "Claude Usage": claude-x } }\n',
        'f.yaml',
        env,
      ),
    ).toEqual({
      intervalMs: 43_200_000,
      lookbackMs: 604_800_000,
      targets: [
        { provider: 'openai', adminKey: OPENAI_KEY },
        { provider: 'anthropic', adminKey: ANTHROPIC_KEY, modelMapping: { 'Claude Usage': 'claude-x' } },
      ],
    });
    const fail = (text: string) => () => parseBillsConfig(text, 'f.yaml', env);
    expect(fail('organizations: []')).toThrow('f.yaml: organizations must list at least one');
    expect(fail('organizations: [{ provider: gemini, adminKeyEnv: OA }]')).toThrow('organizations[0].provider must be openai or anthropic, got "gemini"');
    expect(fail('organizations: [{ provider: openai, adminKeyEnv: MISSING }]')).toThrow('organizations[0]: environment variable MISSING is not set');
    expect(fail('organizations: [{ provider: openai, adminKeyEnv: OA, key: x }]')).toThrow('organizations[0].key is not a setting');
    expect(fail('organizations: [{ provider: openai, adminKeyEnv: OA }, { provider: openai, adminKeyEnv: OA }]')).toThrow(
      'two openai organizations without an account: give each its own account name',
    );
    expect(fail('interval: often\norganizations: [{ provider: openai, adminKeyEnv: OA }]')).toThrow('interval must be a duration like 30s, 5m, 24h or 7d, got "often"');
  });
});
