import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

import { assertIdentifier } from '../schema/identifiers.js';
import {
  DEFAULT_DATABASE,
  DEFAULT_EMBEDDED_PATH,
  type ClickHouseConnectionOptions,
  type StoreKind,
} from './connection-options.js';
import { explainOpenFailure } from './embedded-lock.js';

type ClientOptions = NonNullable<Parameters<typeof createClient>[0]>;

/** A resolved connection: the client plus what the rest of the package needs to know about it. */
export interface Store {
  client: ClickHouseClient;
  kind: StoreKind;
  database: string;
  cluster: string | undefined;
  /** Absolute directory of an embedded store. */
  path: string | undefined;
  /** Server URL without credentials. */
  url: string | undefined;
  /** Closes the client when llm-cost created it; a caller's client is left open. */
  close(): Promise<void>;
}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Opens the store the options point to (see {@link ClickHouseConnectionOptions} for the order). Throws
 * `EmbeddedStoreLockedError` when another process holds the embedded directory.
 */
export function openStore(options: ClickHouseConnectionOptions = {}): Store {
  const database = assertIdentifier('database', options.database ?? env('LLM_COST_CLICKHOUSE_DATABASE') ?? DEFAULT_DATABASE);
  const clusterName = options.cluster ?? env('LLM_COST_CLICKHOUSE_CLUSTER');
  const cluster = clusterName === undefined ? undefined : assertIdentifier('cluster', clusterName);
  const base = { database, cluster };

  if (options.client) {
    return { ...base, client: options.client, kind: 'client', path: undefined, url: undefined, close: async () => {} };
  }
  const url = options.url ?? (options.path === undefined ? env('LLM_COST_CLICKHOUSE_URL') : undefined);
  if (url !== undefined) {
    // The database is not passed to the client: it may not exist before `migrate`, and every statement qualifies
    // its tables with the database anyway.
    const client = createClient({
      url,
      username: options.username ?? env('LLM_COST_CLICKHOUSE_USER') ?? 'default',
      password: options.password ?? env('LLM_COST_CLICKHOUSE_PASSWORD') ?? '',
      request_timeout: options.requestTimeoutMs ?? 30_000,
      application: 'llm-cost',
      // Failed writes are reported by the pipeline once per incident; the client would log every retry.
      log: { level: ClickHouseLogLevel.OFF },
    });
    return { ...base, client, kind: 'server', path: undefined, url: redactUrl(url), close: () => client.close() };
  }
  const path = resolve(options.path ?? env('LLM_COST_CLICKHOUSE_PATH') ?? DEFAULT_EMBEDDED_PATH);
  // chdb types its connection against @clickhouse/client-common 1.23.0 and the client bundles its own copy of
  // those types; the shapes are the same (chdb implements the published Connection contract).
  const connection = openEmbedded(path) as unknown as NonNullable<ClientOptions['connection']>;
  const client = createClient({ connection });
  return { ...base, client, kind: 'embedded', path, url: undefined, close: () => client.close() };
}

function openEmbedded(path: string): ReturnType<typeof createChdbConnection> {
  mkdirSync(path, { recursive: true });
  try {
    return createChdbConnection({ path });
  } catch (error) {
    throw explainOpenFailure(path, error);
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}

/**
 * Returns a `@clickhouse/client` client for the options: the caller's client, a server client for `url`, or the
 * embedded store. The caller closes it.
 */
export function connectClickHouse(options: ClickHouseConnectionOptions = {}): ClickHouseClient {
  return openStore(options).client;
}
