import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createUsageQueries } from '@llm-cost/clickhouse';
import { afterEach, describe, expect, it } from 'vitest';

import { collectorConfigFromArgs } from '../src/config/collector-config.js';
import { discoveryFilePath } from '../src/server/discovery-file.js';
import { readMetric } from './helpers/collector-fixture.js';
import { runBin, spawnCollector, type CollectorProcess } from './helpers/cli-process.js';
import { createOtlpExporter, exportSpans } from './helpers/otel-spans.js';
import { sdkGenAiSpans } from './helpers/sdk-genai-spans.js';

const INGEST = 'cli-ingest-token-0123456789abcdef';
const READ = 'cli-read-token-0123456789abcdef01';
const DAY = 86_400_000;

describe('llm-cost CLI', () => {
  const dirs: string[] = [];
  const running: CollectorProcess[] = [];
  const tempStore = () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-cost-cli-'));
    dirs.push(dir);
    return join(dir, 'store');
  };
  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('lists its commands and refuses unknown ones', async () => {
    const help = await runBin(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['collector', 'migrate', 'report', 'doctor', 'forget', 'prices', 'credits', 'reconcile', 'bills']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    const unknown = await runBin(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const bad = await runBin(['collector', '--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/port must be an integer/);
  });

  it('takes the write retry ceiling from --retry-max-ms or LLM_COST_COLLECTOR_RETRY_MAX_MS, within bounds', () => {
    expect(collectorConfigFromArgs(['--retry-max-ms', '1000'], {}).options.retryMaxMs).toBe(1000);
    expect(collectorConfigFromArgs([], { LLM_COST_COLLECTOR_RETRY_MAX_MS: '2500' }).options.retryMaxMs).toBe(2500);
    expect(collectorConfigFromArgs([], {}).options.retryMaxMs).toBeUndefined();
    expect(() => collectorConfigFromArgs(['--retry-max-ms', '0'], {})).toThrow(/retry-max-ms must be an integer/);
  });

  it('listens for OTLP/gRPC on 4317 by default, on a free port next to --port 0, or not at all with off', () => {
    expect(collectorConfigFromArgs([], {}).options.grpcPort).toBe(4317);
    expect(collectorConfigFromArgs(['--port', '0'], {}).options.grpcPort).toBe(0);
    expect(collectorConfigFromArgs(['--grpc-port', '14317'], {}).options.grpcPort).toBe(14317);
    expect(collectorConfigFromArgs([], { LLM_COST_COLLECTOR_GRPC_PORT: 'off' }).options.grpcPort).toBeUndefined();
    expect(() => collectorConfigFromArgs(['--grpc-port', 'x'], {})).toThrow(/grpc-port must be an integer/);
  });

  it('on SIGTERM stops accepting, writes everything it accepted, and exits 0', async () => {
    const path = tempStore();
    // A flush interval far beyond the test: the accepted spans are still queued when SIGTERM arrives.
    const collector = await spawnCollector(['--port', '0', '--path', path, '--token', `acme=${INGEST}`, '--flush-interval-ms', '600000']);
    running.push(collector);
    const exporter = createOtlpExporter('protobuf', collector.url, { headers: { Authorization: `Bearer ${INGEST}` } });
    const spans = sdkGenAiSpans(
      'drain-test',
      Array.from({ length: 300 }, (_, i) => ({ model: 'gpt-4o-mini', inputTokens: 100 + i, outputTokens: 10 })),
    );
    expect((await exportSpans(exporter, spans)).code).toBe(0);
    await exporter.shutdown();
    expect(await readMetric(collector.url, 'llm_cost_pipeline_queue_depth')).toBe(300);
    expect(await readMetric(collector.url, 'llm_cost_pipeline_calls_written_total')).toBe(0);

    collector.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);
    expect(collector.logs.find((l) => l.msg === 'collector stopped')).toMatchObject({ written: 300, lost: 0 });
    expect(existsSync(discoveryFilePath(path))).toBe(false);

    const queries = createUsageQueries({ path });
    try {
      const usage = await queries.usageInPeriod({ from: Date.now() - DAY, to: Date.now() + DAY });
      expect(usage.calls).toBe(300);
      expect(usage.inputTokens).toBe(300 * 100 + (299 * 300) / 2);
    } finally {
      await queries.close();
    }
  });

  it('report reads through the collector that holds the embedded store', async () => {
    const path = tempStore();
    const collector = await spawnCollector([
      '--port', '0', '--path', path, '--token', `acme=${INGEST}`, '--read-token', READ, '--flush-interval-ms', '20',
    ]);
    running.push(collector);
    const exporter = createOtlpExporter('json', collector.url, { headers: { Authorization: `Bearer ${INGEST}` } });
    const spans = sdkGenAiSpans('report-test', [
      { model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100 },
      { model: 'gpt-4o', inputTokens: 1000, outputTokens: 100 },
    ]);
    expect((await exportSpans(exporter, spans)).code).toBe(0);
    await exporter.shutdown();
    const deadline = Date.now() + 15_000;
    while ((await readMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }

    // Found by the file beside the store, with the read token from the environment.
    const found = await runBin(['report', '--path', path, '--by', 'model', '--format', 'json'], {
      ...process.env,
      LLM_COST_COLLECTOR_TOKEN: READ,
    });
    expect(found.stderr).toMatch(/held by the collector at http:\/\/127\.0\.0\.1:\d+; reading through it/);
    expect(found.code).toBe(0);
    const rows = JSON.parse(found.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.key).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);

    // Named explicitly.
    const explicit = await runBin(['report', '--collector-url', collector.url, '--by', 'day', '--days', '1', '--format', 'csv'], {
      ...process.env,
      LLM_COST_COLLECTOR_TOKEN: READ,
    });
    expect(explicit.code).toBe(0);
    expect(explicit.stdout.split('\n')[0]).toMatch(/^day,calls,/);

    // Without a read token the collector refuses, and the command says why.
    const refused = await runBin(['report', '--collector-url', collector.url], { ...process.env, LLM_COST_COLLECTOR_TOKEN: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused .*HTTP 401/);
  });
});
