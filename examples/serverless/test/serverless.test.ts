/**
 * The README's serverless recipe: a Lambda-style handler makes its LLM calls through the real `openai` SDK (against a
 * loopback server replaying the project's chat completion), awaits the instrumentation's `forceFlush()` before it
 * returns, and the platform ends the process with SIGKILL right after the last handler returned (no exit listener, no
 * timer runs any more). Every call must be in the store: the embedded store the function wrote, or the collector's
 * store when the spans went over OTLP.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { startCollector } from '@llm-cost/collector';
import { createUsageQueries } from '@llm-cost/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ClickHouseHttpServer } from '../../../packages/clickhouse/test/support/clickhouse-http.js';
import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';

const RUNTIME = fileURLToPath(new URL('../src/local-runtime.mjs', import.meta.url));
/** Three invocations of one warm sandbox: 2 + 1 + 3 calls, two users. */
const EVENTS = [
  { userId: 'ana', texts: ['first', 'second'] },
  { userId: 'ben', texts: ['third'] },
  { userId: 'ana', texts: ['fourth', 'fifth', 'sixth'] },
];
/** gpt-4o-mini, the fixture's usage: 176 uncached x $0.15/M + 1024 cached x $0.075/M + 300 output x $0.60/M. */
const COST_PER_CALL = 0.0002832;

let provider: ProviderServer;

beforeAll(async () => {
  const fixture = projectFixture('openai/chat-completions');
  const body = JSON.parse(fixture.body.toString('utf8')) as Record<string, unknown>;
  let served = 0;
  provider = await startProviderServer(() => fixtureReply(fixture, { body: { ...body, id: `chatcmpl-serverless-${++served}` } }));
});
afterAll(() => provider.close());

/** Runs the local runtime over EVENTS; resolves with what it printed and how it ended. */
function runFunction(env: Record<string, string>): Promise<{ lines: Array<Record<string, unknown>>; signal: string | null; stderr: string }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && !key.startsWith('LLM_COST_') && key !== 'NODE_PATH'),
  );
  const child = spawn(process.execPath, [RUNTIME, ...EVENTS.map((event) => JSON.stringify(event))], {
    env: {
      ...inherited,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: `${provider.url}/v1`,
      AFTER_LAST: 'sigkill',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the function did not end\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 60_000);
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ lines, signal, stderr });
    });
  });
}

const invocations = EVENTS.map((_, index) => ({ invocation: index + 1, statusCode: 200 }));

describe('a serverless handler that flushes before it returns, killed right after', () => {
  it('embedded store: every call is a row once the process is gone', async () => {
    const path = mkdtempSync(join(tmpdir(), 'llm-cost-serverless-'));
    const run = await runFunction({ LLM_COST_CLICKHOUSE_PATH: path });
    expect(run.signal).toBe('SIGKILL');
    expect(run.lines).toEqual(invocations);
    // The store is read through an HTTP endpoint on its directory (the killed process released it).
    const server = new ClickHouseHttpServer(path);
    await server.start();
    const client = createClient({ url: server.url });
    try {
      const result = await client.query({
        query: `SELECT user_id, feature, toString(count()) AS calls, toDecimalString(sum(total_cost), 9) AS cost
                FROM llm_cost.llm_calls GROUP BY user_id, feature ORDER BY user_id`,
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([
        { user_id: 'ana', feature: 'summarize', calls: '5', cost: (5 * COST_PER_CALL).toFixed(9) },
        { user_id: 'ben', feature: 'summarize', calls: '1', cost: (1 * COST_PER_CALL).toFixed(9) },
      ]);
      const rollup = await client.query({ query: 'SELECT toString(sum(calls)) AS calls FROM llm_cost.llm_daily_by_user', format: 'JSONEachRow' });
      expect(await rollup.json()).toEqual([{ calls: '6' }]);
    } finally {
      await client.close();
      await server.stop();
    }
  }, 90_000);

  it('OTLP to the collector: every call reaches the collector and is written there', async () => {
    const path = mkdtempSync(join(tmpdir(), 'llm-cost-serverless-collector-'));
    const collector = await startCollector({ port: 0, path });
    const usage = createUsageQueries({ path });
    try {
      const run = await runFunction({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      expect(run.signal).toBe('SIGKILL');
      expect(run.lines).toEqual(invocations);
      // The collector accepted the calls before the function was killed; it writes them on its own schedule.
      const deadline = Date.now() + 30_000;
      let byUser = await usage.costBreakdown({ by: 'user', from: new Date(0), to: new Date(Date.now() + 86_400_000) }).catch(() => []);
      while (byUser.reduce((sum, entry) => sum + entry.calls, 0) < 6 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        byUser = await usage.costBreakdown({ by: 'user', from: new Date(0), to: new Date(Date.now() + 86_400_000) }).catch(() => []);
      }
      expect(byUser.map((entry) => [entry.key, entry.calls, entry.cost])).toEqual([
        ['ana', 5, (5 * COST_PER_CALL).toFixed(9)],
        ['ben', 1, (1 * COST_PER_CALL).toFixed(9)],
      ]);
    } finally {
      await usage.close();
      await collector.close();
    }
  }, 90_000);
});
