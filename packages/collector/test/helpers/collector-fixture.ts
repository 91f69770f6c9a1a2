import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createUsageQueries, type UsageQueries } from '@llm-cost/clickhouse';

import { startCollector } from '../../src/server/start-collector.js';
import type { CollectorOptions, RunningCollector } from '../../src/types.js';

export const TOKENS = {
  acme: 'acme-ingest-token-0123456789abcdef',
  globex: 'globex-ingest-token-0123456789abcdef',
  reader: 'reader-token-0123456789abcdef0123',
} as const;

export interface CollectorFixture {
  collector: RunningCollector;
  /** Queries on the same embedded store, opened in this process (a second handle on the same path). */
  queries: UsageQueries;
  path: string;
  metric(name: string, labels?: string): Promise<number>;
  close(): Promise<void>;
}

/** A collector on an embedded store in a temporary directory, on loopback port 0, with two tenants. */
export async function startTestCollector(options: CollectorOptions = {}): Promise<CollectorFixture> {
  const path = mkdtempSync(join(tmpdir(), 'llm-cost-collector-'));
  const collector = await startCollector({
    path,
    port: 0,
    tokens: [
      { tenant: 'acme', token: TOKENS.acme },
      { tenant: 'globex', token: TOKENS.globex },
    ],
    readTokens: [TOKENS.reader],
    flushIntervalMs: 20,
    dedupHoldMs: 0,
    ...options,
  });
  const queries = createUsageQueries({ path });
  return {
    collector,
    queries,
    path,
    metric: (name, labels = '') => readMetric(collector.url, name, labels),
    async close() {
      await collector.close();
      await queries.close();
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Reads one series of the collector's Prometheus text. */
export async function readMetric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const series = labels === '' ? name : `${name}{${labels}}`;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Polls `check` until it returns true or the deadline passes (no sleeps in tests: a bounded poll). */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
}
