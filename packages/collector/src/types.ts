import type { BillsConfig } from '@llm-cost/bills';
import type { OpenRouterConfig } from '@llm-cost/openrouter';
import type { ClickHouseConnectionOptions, RetentionOptions } from '@llm-cost/clickhouse';

import type { ReadTokenEntry, TenantToken } from './auth/tokens.js';
import type { Logger } from './log.js';
import type { DecodeLimits } from './span.js';

/**
 * Options of {@link startCollector}: where the data goes (the ClickHouse package's connection options: `client`,
 * `url` / `username` / `password`, `path`, `database`, `cluster`), where to listen, who may send.
 * The CLI (`llm-cost collector`) fills them from flags and `LLM_COST_*` environment variables.
 */
export interface CollectorOptions extends ClickHouseConnectionOptions, RetentionOptions {
  /**
   * Interface to listen on. Without `tokens` the collector only listens on loopback whatever this says (and logs
   * that it did). Env: `LLM_COST_COLLECTOR_HOST`. @default '127.0.0.1'
   */
  host?: string;
  /** TCP port; `0` picks a free one (read it from the returned `url`). Env: `LLM_COST_COLLECTOR_PORT`. @default 4318 */
  port?: number;
  /**
   * TCP port of OTLP/gRPC (`TraceService/Export`, on `host` as well); `0` picks a free one (see `grpcUrl`). Off when
   * unset; the CLI listens on 4317 by default (`--grpc-port off` turns it off). Env: `LLM_COST_COLLECTOR_GRPC_PORT`.
   * @default undefined (no gRPC listener)
   */
  grpcPort?: number;
  /**
   * Ingest bearer tokens, each bound to a tenant. A span's `tenant_id` tag is replaced by its token's tenant, so a
   * tenant cannot write as another. Env: `LLM_COST_COLLECTOR_TOKENS` (`tenant=token,...`) or
   * `LLM_COST_COLLECTOR_TOKENS_FILE` (one `tenant=token` per line). @default [] (no auth, loopback only)
   */
  tokens?: readonly TenantToken[];
  /**
   * Tokens that open the dashboard, its `/api/` endpoints and `POST /v1/query`. Ingest tokens cannot read. A token
   * given as `<tenant>=<token>` (or `{ tenant, token }`) is bound to that tenant: every answer to it holds that
   * tenant's rows only; a bare token (or `*=<token>`) reads every tenant and can switch between them.
   * Env: `LLM_COST_COLLECTOR_READ_TOKENS` (comma-separated); in the tokens file, `read-token <entry>` lines. @default []
   */
  readTokens?: readonly ReadTokenEntry[];
  /**
   * Link template from a call on the dashboard to its trace: `{traceId}` is replaced by the call's trace id, e.g.
   * `http://localhost:16686/trace/{traceId}` (Jaeger) or a Grafana Tempo explore URL. Env: `LLM_COST_TRACE_URL`.
   * @default none (trace ids shown as text)
   */
  traceUrl?: string;
  /**
   * Largest request body, before and after decompression (OTLP recommends 20 MiB); larger requests get 413.
   * Env: `LLM_COST_COLLECTOR_MAX_BODY_BYTES`. @default 20971520
   */
  maxBodyBytes?: number;
  /**
   * Request body bytes held at once by exports being read and decoded (reserved from `Content-Length`, times 8 for a
   * compressed body); beyond it new exports get 429 with `Retry-After`. Bounds memory under many large concurrent
   * requests. Env: `LLM_COST_COLLECTOR_MAX_INFLIGHT_BYTES`. @default 268435456 (256 MiB)
   */
  maxInFlightBytes?: number;
  /** Seconds clients are told to wait (`Retry-After`) when the queue is full or the store is down. @default 2 */
  retryAfterSeconds?: number;
  /** Decoder limits on attributes per span, value size and nesting. @default DEFAULT_DECODE_LIMITS */
  decodeLimits?: Partial<DecodeLimits>;
  /**
   * LLM calls waiting to be written, at most; beyond it exports are answered 429 (or 503 while the store is down)
   * with `Retry-After`. Env: `LLM_COST_COLLECTOR_MAX_QUEUE`. @default 100000
   */
  maxQueueSize?: number;
  /**
   * Most calls per ClickHouse insert; fewer, larger inserts mean fewer parts to merge (see docs/DEPLOY.md for the
   * measurements). Env: `LLM_COST_COLLECTOR_BATCH_SIZE`. @default 20000
   */
  batchSize?: number;
  /** Longest a call waits before its batch is written. Env: `LLM_COST_COLLECTOR_FLUSH_INTERVAL_MS`. @default 1000 */
  flushIntervalMs?: number;
  /**
   * How long a GenAI span whose parent has not arrived yet waits for it, so another instrumentation layer of the same
   * call (sent in a later batch) is not counted twice. See `@llm-cost/clickhouse`. @default 10000
   */
  dedupHoldMs?: number;
  /**
   * Longest wait between two attempts to write a batch while ClickHouse fails (jittered exponential backoff from
   * 250 ms). It bounds how long after the store comes back the collector takes to notice: keep it short where
   * outages should end quickly. Env: `LLM_COST_COLLECTOR_RETRY_MAX_MS`. @default 30000
   */
  retryMaxMs?: number;
  /**
   * How long `close()` (and SIGTERM) keeps retrying to write what was accepted when ClickHouse fails, before it
   * gives up and counts the rest as lost. Keep the process manager's stop grace period above it.
   * Env: `LLM_COST_COLLECTOR_SHUTDOWN_TIMEOUT_MS`. @default 30000
   */
  shutdownTimeoutMs?: number;
  /** Apply pending schema migrations at start. Env: `LLM_COST_MIGRATE=false` disables. @default true */
  migrate?: boolean;
  /**
   * Runs OpenRouter reconciliation continuously (and the credit monitor when the configuration has a `monitor`
   * section) on the collector's store: a parsed configuration or the path of its YAML / JSON file
   * (see `@llm-cost/openrouter`). Env / flag: `LLM_COST_OPENROUTER_CONFIG` / `--openrouter-config`.
   * @default off
   */
  openrouter?: OpenRouterConfig | string;
  /**
   * Syncs OpenAI's and Anthropic's own daily bills (admin cost and usage reports) into the collector's store, right
   * away and then daily: a parsed configuration or the path of its YAML / JSON file (see `@llm-cost/bills`).
   * Env / flag: `LLM_COST_BILLS_CONFIG` / `--bills-config`. @default off
   */
  bills?: BillsConfig | string;
  /** Structured logger. @default silent (the CLI logs JSON lines to stdout) */
  logger?: Logger;
}

/** A running collector. */
export interface RunningCollector {
  /** Base URL, e.g. `http://127.0.0.1:4318` (exporters append `/v1/traces`). */
  url: string;
  port: number;
  /** With `grpcPort`: the OTLP/gRPC endpoint, e.g. `http://127.0.0.1:4317` (an insecure channel). */
  grpcUrl?: string;
  grpcPort?: number;
  /**
   * Drains and stops: refuses new exports (503), waits for requests in flight, writes everything accepted, closes the
   * store. Safe to call twice.
   */
  close(): Promise<void>;
}

export type { ReadTokenEntry, TenantToken };
