/**
 * The README's main job: the quickstart runs as a fresh application (its own process, an empty working directory, no
 * API keys), sends its calls through the real SDKs to the local replay server, and prints a report read from the
 * rollups of the embedded ClickHouse it created. The totals below are computed by hand from the replay samples and
 * the bundled prices (USD per million tokens):
 *   gpt-4o-mini 0.15 in / 0.075 cached / 0.60 out: 176*0.15 + 1024*0.075 + 300*0.6 = 283.2 µUSD; 800*0.15 + 200*0.6 = 240
 *   claude-sonnet-4-6 3 in / 0.30 cache read / 3.75 cache write (5m) / 15 out:
 *     200*3 + 3000*0.3 + 400*15 = 7500 µUSD; 150*3 + 2000*3.75 + 250*15 = 11700
 *   gemini-2.5-flash 0.30 in / 2.50 out (thoughts billed as output): 1000*0.3 + (150+500)*2.5 = 1925; 600*0.3 + 90*2.5 = 405
 *   text-embedding-3-small 0.02: 5000*0.02 = 100;  OpenRouter reported cost: 4500
 *   alice 8023.2, bob 2430, carol 16200; total 26653.2 µUSD
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startCollector } from '@llm-cost/collector';

const main = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'llm-cost-quickstart-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function runQuickstart(extraEnv: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'OPENROUTER_API_KEY',
    'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'NODE_PATH',
    'LLM_COST_CLICKHOUSE_URL', 'LLM_COST_CLICKHOUSE_PATH']) {
    delete env[key];
  }
  return promisify(execFile)(process.execPath, [main], { cwd, env: { ...env, ...extraEnv }, timeout: 120_000 });
}

describe('quickstart', () => {
  it('prices every call into the embedded store and reports the hand-computed totals from the rollups', async () => {
    const { stdout } = await runQuickstart();
    expect(stdout).toContain('answering those calls from a local replay server');
    expect(stdout).toContain(
      'This run: 8 calls, 14850 input tokens (4024 from cache), 2010 output tokens, cost 0.026653200 USD',
    );
    expect(stdout).toMatch(/alice\s+3\s+5200\s+4024\s+900\s+0\.008023200/);
    expect(stdout).toMatch(/bob\s+3\s+6600\s+0\s+740\s+0\.002430000/);
    expect(stdout).toMatch(/carol\s+2\s+3050\s+0\s+370\s+0\.016200000/);
    expect(stdout).toContain('Data quality: 0 unpriced calls, 0 calls without usage, 0 untagged calls, 0 failed calls');
  });

  it('a second run adds to the same store: the run line counts only its own calls, the day totals both', async () => {
    const { stdout } = await runQuickstart();
    expect(stdout).toContain('This run: 8 calls,');
    expect(stdout).toMatch(/alice\s+6\s+10400\s+8048\s+1800\s+0\.016046400/);
  });

  it('as docker-compose.yml wires it: spans to the collector over OTLP, the report through its query endpoint', async () => {
    // The example-app service's own environment, with the collector's address replaced by a loopback one.
    const compose = parse(readFileSync(fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url)), 'utf8'));
    const appEnv = compose.services['example-app'].environment as Record<string, string>;
    const ingest = /Bearer (\S+)/.exec(appEnv.OTEL_EXPORTER_OTLP_HEADERS)![1]!;
    const collector = await startCollector({
      port: 0,
      path: join(cwd, 'collector-store'),
      tokens: [{ tenant: 'demo', token: ingest }],
      readTokens: [appEnv.LLM_COST_COLLECTOR_TOKEN!],
    });
    try {
      const { stdout } = await runQuickstart({
        // Compose interpolates `${VAR:-}` from the host; these tests run without provider keys, so those are empty.
        ...Object.fromEntries(Object.entries(appEnv).filter(([, value]) => value !== '' && !value.startsWith('${'))),
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        LLM_COST_COLLECTOR_URL: collector.url,
      });
      expect(stdout).toContain(
        'This run: 8 calls, 14850 input tokens (4024 from cache), 2010 output tokens, cost 0.026653200 USD',
      );
      // The ingest token's tenant replaced the tenants the app tagged.
      expect(stdout).toMatch(/By tenant\n.*\n\s+demo\s+8\s/);
    } finally {
      await collector.close();
    }
  });
});
