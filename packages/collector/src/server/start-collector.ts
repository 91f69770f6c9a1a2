import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { BillSync } from '@llm-cost/bills';
import { CostPipeline, checkOptionShapes, createUsageQueries, migrate } from '@llm-cost/clickhouse';

import { TokenTable } from '../auth/tokens.js';
import { COLLECTOR_OPTION_SHAPES } from '../config/option-shapes.js';
import { checkTraceUrl } from '../dashboard/trace-url.js';
import { startGrpcServer, type GrpcListener } from '../grpc/grpc-server.js';
import { ByteBudget } from '../http/byte-budget.js';
import { silentLogger } from '../log.js';
import { DEFAULT_DECODE_LIMITS } from '../span.js';
import type { CollectorOptions, RunningCollector } from '../types.js';
import { sendJson } from './answers.js';
import { METRIC, createCollectorMetrics, refreshPipelineMetrics } from './collector-metrics.js';
import { removeDiscoveryFile, writeDiscoveryFile } from './discovery-file.js';
import type { IngestContext } from './ingest-context.js';
import type { QueryContext, QueryRunner } from './query-route.js';
import { checkReadiness } from './readiness.js';
import { startOpenRouterJobs, type OpenRouterJobs } from './openrouter-jobs.js';
import { startBillJobs } from './bill-jobs.js';
import { routeRequest, type RouteResult, type RouterContext } from './router.js';

const DEFAULT_PORT = 4318;
const LOOPBACK = '127.0.0.1';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Starts the OTLP/HTTP collector: `POST /v1/traces` (protobuf or JSON, gzip or not) priced and written through the
 * ClickHouse package's pipeline, `GET /healthz`, `GET /readyz`, `GET /metrics`, the read-only `POST /v1/query`, and
 * the dashboard at `/` (data under `/api/`), read from the same store; with `grpcPort`, also OTLP/gRPC
 * `TraceService/Export` on the same host, through the same ingest path.
 * Resolves once it listens.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  checkOptionShapes('startCollector', options, COLLECTOR_OPTION_SHAPES);
  const logger = options.logger ?? silentLogger;
  const tokens = new TokenTable(options.tokens ?? [], options.readTokens ?? []);
  const traceUrl = checkTraceUrl(options.traceUrl);
  const requestedHost = options.host ?? LOOPBACK;
  let host = requestedHost;
  if (!tokens.enabled && !LOOPBACK_HOSTS.has(requestedHost)) {
    logger.warn('no tokens configured: listening on loopback only, not on the requested host', {
      requestedHost,
      host: LOOPBACK,
    });
    host = LOOPBACK;
  }

  const pipeline = new CostPipeline({
    client: options.client,
    url: options.url,
    username: options.username,
    password: options.password,
    path: options.path,
    database: options.database,
    cluster: options.cluster,
    requestTimeoutMs: options.requestTimeoutMs,
    retentionDays: options.retentionDays,
    rollupRetentionDays: options.rollupRetentionDays,
    autoMigrate: options.migrate ?? true,
    maxQueueSize: options.maxQueueSize ?? 100_000,
    maxBatchSize: options.batchSize ?? 20_000,
    flushIntervalMs: options.flushIntervalMs ?? 1_000,
    dedupHoldMs: options.dedupHoldMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    retryMaxMs: options.retryMaxMs,
  });
  const store = pipeline.store;
  const usage = createUsageQueries({ client: store.client, database: store.database, cluster: store.cluster });
  let schemaVersion: number | undefined;
  if (options.migrate ?? true) {
    try {
      schemaVersion = (
        await migrate({
          client: store.client,
          database: store.database,
          cluster: store.cluster,
          retentionDays: options.retentionDays,
          rollupRetentionDays: options.rollupRetentionDays,
        })
      ).version;
    } catch (error) {
      await pipeline.shutdown();
      throw error;
    }
  }
  let openrouter: OpenRouterJobs | undefined;
  let bills: BillSync | undefined;
  try {
    if (options.openrouter !== undefined) openrouter = startOpenRouterJobs(options.openrouter, store, logger);
    if (options.bills !== undefined) bills = startBillJobs(options.bills, store, logger);
  } catch (error) {
    await openrouter?.stop();
    await pipeline.shutdown();
    throw error;
  }
  const stopJobs = () => Promise.all([openrouter?.stop(), bills?.stop()]);
  const metrics = createCollectorMetrics();

  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const ingest: IngestContext = {
    tokens,
    pipeline,
    metrics,
    logger,
    maxBodyBytes: options.maxBodyBytes ?? 20 * 1024 * 1024,
    decodeLimits: { ...DEFAULT_DECODE_LIMITS, ...options.decodeLimits },
    retryAfterSeconds: options.retryAfterSeconds ?? 2,
    bodyBudget: new ByteBudget(options.maxInFlightBytes ?? 256 * 1024 * 1024),
    isDraining: () => draining,
  };
  const query: QueryContext = { tokens, queries: usage as unknown as QueryRunner, logger };

  const router: RouterContext = {
    ingest,
    query,
    dashboard: { tokens, queries: usage, logger, traceUrl },
    readiness: () => checkReadiness(usage, schemaVersion, draining),
    metricsText: () => {
      refreshPipelineMetrics(metrics, pipeline.stats());
      metrics.set(METRIC.bodyBytesInFlight, ingest.bodyBudget.inUse);
      return metrics.render();
    },
  };

  const server = createServer((request, response) => {
    const started = process.hrtime.bigint();
    inFlight++;
    routeRequest(request, response, router)
      .catch((error: unknown) => {
        logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        return ['error', 500] as RouteResult;
      })
      .then(([name, status]) => {
        metrics.add(METRIC.httpRequests, 1, { route: name, code: String(status) });
        metrics.observe(METRIC.requestDuration, Number(process.hrtime.bigint() - started) / 1e9, { route: name });
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) idle?.();
      });
  });
  // Exporters keep connections open between batches; allow that without holding sockets forever.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await stopJobs();
    await pipeline.shutdown();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let grpc: GrpcListener | undefined;
  if (options.grpcPort !== undefined) {
    try {
      grpc = await startGrpcServer(host, options.grpcPort, ingest);
    } catch (error) {
      server.close();
      await stopJobs();
      await pipeline.shutdown();
      throw error;
    }
  }
  if (store.path !== undefined) writeDiscoveryFile(store.path, url);
  logger.info('collector listening', {
    url,
    ...(grpc ? { grpc: grpc.address } : {}),
    store: store.kind === 'embedded' ? `embedded:${store.path}` : (store.url ?? store.kind),
    database: store.database,
    auth: tokens.enabled ? 'bearer tokens' : 'none (loopback only)',
    tenants: tokens.tenantNames,
  });
  if (!tokens.enabled) logger.warn('no tokens configured: anyone on this machine can send spans and read usage');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      logger.info('draining: refusing new exports, writing what was accepted');
      server.close();
      server.closeIdleConnections();
      const grpcClosed = grpc?.close(server.requestTimeout);
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      await grpcClosed;
      await stopJobs();
      await pipeline.shutdown();
      server.closeAllConnections();
      if (store.path !== undefined) removeDiscoveryFile(store.path, url);
      const stats = pipeline.stats();
      logger.info('collector stopped', { written: stats.written, lost: stats.lost, rejected: stats.rejected });
    })();
    return closing;
  };
  return {
    url,
    port,
    ...(grpc ? { grpcUrl: `http://${grpc.address}`, grpcPort: grpc.port } : {}),
    close,
  };
}
