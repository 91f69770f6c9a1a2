/**
 * The embedded store belongs to one process. Here another process (the loopback ClickHouse HTTP server, which opens
 * the directory with the embedded engine) holds it, and every entry point of this process says so clearly. This file
 * never opens another store: the engine binds one directory per process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runReportCli } from '../src/cli/report-cli.js';
import { connectClickHouse } from '../src/connection/connect.js';
import { EmbeddedStoreLockedError } from '../src/errors.js';
import { ClickHouseCostExporter } from '../src/exporter.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { migrate } from '../src/schema/migrate.js';
import { ClickHouseHttpServer } from './support/clickhouse-http.js';
import { captureIo } from './support/cli-io.js';

const path = mkdtempSync(join(tmpdir(), 'llm-cost-held-'));
const holder = new ClickHouseHttpServer(path);
let holderPid: number;

beforeAll(async () => {
  await holder.start();
  holderPid = holder.pid!;
});
afterAll(() => holder.stop());

function expectLocked(error: unknown): void {
  expect(error).toBeInstanceOf(EmbeddedStoreLockedError);
  expect(error).toMatchObject({ name: 'EmbeddedStoreLockedError', code: 'LLM_COST_EMBEDDED_STORE_LOCKED', path, pid: holderPid });
  const message = (error as Error).message;
  expect(message).toContain(`The embedded ClickHouse store at ${path} is held by process ${holderPid}`);
  expect(message).toContain('Stop that process');
  expect(message).toContain("collector's query endpoint");
  expect(message).toContain('--path');
}

describe('an embedded directory held by another process', () => {
  it('is reported by the exporter, the queries, migrate and connectClickHouse', async () => {
    expect(() => new ClickHouseCostExporter({ path })).toThrow(EmbeddedStoreLockedError);
    let caught: unknown;
    try {
      createUsageQueries({ path });
    } catch (error) {
      caught = error;
    }
    expectLocked(caught);
    await migrate({ path }).then(
      () => expect.unreachable('migrate should fail'),
      (error: unknown) => expectLocked(error),
    );
    expect(() => connectClickHouse({ path })).toThrow(/held by process/);
  });

  it('is reported by the CLI with exit code 1', async () => {
    const io = captureIo();
    expect(await runReportCli(['--path', path], io)).toBe(1);
    expect(io.err()).toContain(`llm-cost report: The embedded ClickHouse store at ${path} is held by process ${holderPid}`);
  });

  it('opens once the holder is gone', async () => {
    await holder.stop();
    const queries = createUsageQueries({ path });
    await migrate({ client: queries.store.client });
    expect(await queries.dailySummary({ day: '2026-01-01' })).toMatchObject({ calls: 0 });
    await queries.close();
  });
});
