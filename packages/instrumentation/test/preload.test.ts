/**
 * `node --import @llm-cost/instrumentation/register` / `--require`: the instrumentation is registered before the
 * application's first line, so a client created at module load is captured, configured by environment only; and a
 * short script that never calls shutdown() still exports its spans (flushed before exit).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureReply,
  pollUntil,
  projectFixture,
  runNodeScript,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/index.js';
import { hostsFromEnv } from '../src/env-hosts.js';

const consumers = join(dirname(fileURLToPath(import.meta.url)), 'consumers');
let provider: ProviderServer;
let receiver: ProviderServer;

beforeAll(async () => {
  provider = await startProviderServer(() => fixtureReply(projectFixture('openai/chat-completions')));
  receiver = await startProviderServer(() => ({ body: {} }));
});
afterAll(async () => {
  await provider.close();
  await receiver.close();
});

describe.each([
  ['--import', 'app-preload.mjs'],
  ['--require', 'app-preload.cjs'],
])('node %s @llm-cost/instrumentation/register', (flag, app) => {
  it('captures a client created at module load and exports the span before exit', async () => {
    const before = receiver.requests.length;
    const result = await runNodeScript(join(consumers, app), {
      cwd: consumers,
      args: [flag, '@llm-cost/instrumentation/register'],
      env: {
        PROVIDER_URL: provider.url,
        LLM_COST_HOSTS: `${provider.host}=openai`,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_TRACES_EXPORTER: undefined,
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ promptTokens: 1200 });
    const posts = await pollUntil(() => {
      const received = receiver.requests.slice(before);
      return received.length > 0 ? received : undefined;
    }, 'the OTLP export');
    expect(posts[0]!.url).toBe('/v1/traces');
    expect(posts[0]!.body).toContain('"gen_ai.usage.input_tokens"');
    expect(posts[0]!.body).toContain('"chat gpt-4o-mini"');
  });
});

describe('LLM_COST_HOSTS', () => {
  it('reads host=provider pairs and JSON', () => {
    expect(hostsFromEnv('127.0.0.1:4010=anthropic, llm.internal.example=internal_gateway')).toEqual({
      '127.0.0.1:4010': 'anthropic',
      'llm.internal.example': 'internal_gateway',
    });
    expect(hostsFromEnv('{"a.example":"gemini"}')).toEqual({ 'a.example': 'gemini' });
    expect(hostsFromEnv('garbage')).toEqual({});
    expect(hostsFromEnv(undefined)).toBeUndefined();
  });
});
