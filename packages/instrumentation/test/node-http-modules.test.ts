/**
 * The module-loading rules of the `node:http` / `node:https` / `node:http2` capture, in real application processes
 * (ESM and CommonJS, registering in the application or preloaded with `--import` / `--require`):
 * - ESM named imports taken before registration (`import { request } from 'node:http'`, `https`, `connect` from
 *   `node:http2`) and a namespace import are captured: the built-in ESM bindings are re-synced after patching;
 * - an HTTP/2 session opened before registration is captured (the session prototype is patched, not `connect`);
 * - in CommonJS, calls through the module object are captured; a copy of `request` taken before registration is
 *   captured only when the instrumentation is preloaded (documented in the README).
 * Spans leave the process over OTLP/HTTP (the default set-up), so the test reads them as a collector would.
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
  type ProviderRoute,
  type ProviderServer,
} from '../../../test/support/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const consumers = join(here, 'consumers');
const tlsCa = join(here, '../../../test/fixtures/tls/localhost-cert.pem');

const route: ProviderRoute = (request) =>
  fixtureReply(projectFixture((request.json as { stream?: boolean }).stream ? 'openai/chat-completions-stream' : 'openai/chat-completions'));

let servers: { http: ProviderServer; https: ProviderServer; h2c: ProviderServer };
let receiver: ProviderServer;

beforeAll(async () => {
  servers = {
    http: await startProviderServer(route),
    https: await startProviderServer(route, 'https'),
    h2c: await startProviderServer(route, 'h2c'),
  };
  receiver = await startProviderServer(() => ({ body: {} }));
});
afterAll(async () => {
  await Promise.all([...Object.values(servers), receiver].map((server) => server.close()));
});

interface OtlpSpan {
  name: string;
  attributes: Record<string, unknown>;
}

type OtlpValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean };

/** The spans of OTLP/HTTP JSON export requests received since `from`. */
function exportedSpans(from: number): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const request of receiver.requests.slice(from)) {
    const body = request.json as {
      resourceSpans?: { scopeSpans?: { spans?: { name: string; attributes?: { key: string; value: OtlpValue }[] }[] }[] }[];
    };
    for (const resource of body.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          const attributes: Record<string, unknown> = {};
          for (const { key, value } of span.attributes ?? []) {
            attributes[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue);
          }
          spans.push({ name: span.name, attributes });
        }
      }
    }
  }
  return spans;
}

async function runApp(app: string, preload: '--import' | '--require' | undefined): Promise<{ results: Record<string, number>; spans: OtlpSpan[] }> {
  const from = receiver.requests.length;
  const hosts = Object.fromEntries(Object.values(servers).map((server) => [server.host, 'openai']));
  const result = await runNodeScript(join(consumers, app), {
    cwd: consumers,
    args: preload === undefined ? [] : [preload, '@llm-cost/instrumentation/register'],
    env: {
      URLS: JSON.stringify({ http: servers.http.url, https: servers.https.url, h2c: servers.h2c.url }),
      TLS_CA: tlsCa,
      HOSTS: JSON.stringify(hosts),
      LLM_COST_HOSTS: JSON.stringify(hosts),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_EXPORTER: undefined,
    },
  });
  expect(result.code, result.stderr).toBe(0);
  const results = JSON.parse(result.stdout) as Record<string, number>;
  const expected = Object.keys(results).length;
  const spans = await pollUntil(() => {
    const got = exportedSpans(from);
    return got.length > 0 ? got : undefined;
  }, 'the OTLP export');
  expect(spans.length).toBeLessThanOrEqual(expected);
  return { results, spans };
}

/** The calls (by their `call` tag) that made a span, each with its usage as the fixture says. */
function capturedCalls(spans: OtlpSpan[]): string[] {
  for (const span of spans) {
    expect(span.name).toBe('chat gpt-4o-mini');
    const streamed = span.attributes['gen_ai.request.stream'] === true;
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(streamed ? 850 : 1200);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(streamed ? 42 : 300);
    expect(span.attributes['llm_cost.usage_source']).toBe(streamed ? 'stream_final' : 'response');
  }
  return spans.map((span) => String(span.attributes['llm_cost.tag.call'])).sort();
}

describe('ESM: bindings imported before registration', () => {
  const all = ['early-h2-session', 'named-h2-connect', 'named-https-request', 'named-request', 'namespace-request'];

  it.each([
    ['registered in the application', undefined],
    ['preloaded with --import', '--import'],
  ] as const)('%s: every call is one span', async (_label, preload) => {
    const { results, spans } = await runApp('http-modules.mjs', preload);
    expect(Object.keys(results).sort()).toEqual(all);
    expect(capturedCalls(spans)).toEqual(all);
  });
});

describe('CommonJS', () => {
  it('registered in the application: calls through the module object are captured', async () => {
    const { results, spans } = await runApp('http-modules.cjs', undefined);
    expect(results).toEqual({ 'module-request': 1200, 'copied-request': 1200 });
    expect(capturedCalls(spans)).toEqual(['module-request']);
  });

  it('preloaded with --require: a copy of request taken at load time is captured too', async () => {
    const { spans } = await runApp('http-modules.cjs', '--require');
    expect(capturedCalls(spans)).toEqual(['copied-request', 'module-request']);
  });
});
