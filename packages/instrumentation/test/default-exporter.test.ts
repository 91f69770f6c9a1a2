/**
 * With no exporter and no registered provider, spans go where the OpenTelemetry conventions say: OTLP/HTTP when the
 * OTEL_EXPORTER_OTLP_* variables are set, else @llm-cost/clickhouse's embedded store when it is installed, else
 * nowhere, with one clear warning. Each case runs as a separate application (child process).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureReply,
  projectFixture,
  repoRoot,
  runNodeScript,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/index.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'consumers', 'default-exporter.mjs');
let provider: ProviderServer;
let collector: ProviderServer;
const dirs: string[] = [];

beforeAll(async () => {
  provider = await startProviderServer(() => fixtureReply(projectFixture('openai/chat-completions')));
  // An OTLP/HTTP receiver: records what the exporter posts.
  collector = await startProviderServer(() => ({ body: {} }));
});
afterAll(async () => {
  await provider.close();
  await collector.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh application directory, optionally with @llm-cost/clickhouse installed in its node_modules. */
function appDir(withClickHouse: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-cost-app-'));
  dirs.push(dir);
  if (withClickHouse) {
    mkdirSync(join(dir, 'node_modules', '@llm-cost'), { recursive: true });
    symlinkSync(join(repoRoot, 'packages', 'clickhouse'), join(dir, 'node_modules', '@llm-cost', 'clickhouse'));
  }
  return dir;
}

function run(cwd: string, env: Record<string, string | undefined>) {
  return runNodeScript(script, {
    cwd,
    env: {
      PROVIDER_URL: provider.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
      OTEL_TRACES_EXPORTER: undefined,
      ...env,
    },
    timeoutMs: 90_000,
  });
}

describe('default exporter', () => {
  it('OTEL_EXPORTER_OTLP_ENDPOINT selects the OTLP/HTTP exporter, and the span arrives there', async () => {
    const before = collector.requests.length;
    const result = await run(appDir(true), { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'otlp-app' });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ promptTokens: 1200 });
    const posts = collector.requests.slice(before);
    expect(posts.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/traces']);
    const payload = posts[0]!.body;
    expect(payload).toContain('@llm-cost/instrumentation');
    expect(payload).toContain('"gen_ai.usage.input_tokens"');
    expect(payload).toContain('otlp-app');
    expect(result.stderr).toContain('LLM spans go to OTLP/HTTP');
  });

  it('OTEL_TRACES_EXPORTER=none sends spans nowhere, without a warning', async () => {
    const result = await run(appDir(false), { OTEL_TRACES_EXPORTER: 'none' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('LLM spans go to nowhere (OTEL_TRACES_EXPORTER=none)');
    expect(result.stderr).not.toContain('LLM_COST_NO_EXPORTER');
  });

  it('without OTLP settings, an installed @llm-cost/clickhouse stores the spans (embedded)', async () => {
    const result = await run(appDir(true), {});
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ promptTokens: 1200 });
    expect(result.stderr).toContain('LLM spans go to @llm-cost/clickhouse (embedded store)');
    expect(result.stderr).not.toContain('LLM_COST_NO_EXPORTER');
  });

  it('with nothing configured or installed, the call works and one warning says spans are dropped', async () => {
    const result = await run(appDir(false), {});
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ promptTokens: 1200 });
    expect(result.stderr.match(/\(node:\d+\) \[LLM_COST_NO_EXPORTER\]/g)).toHaveLength(1);
    expect(result.stderr).toContain('LLM spans are dropped');
  });
});
