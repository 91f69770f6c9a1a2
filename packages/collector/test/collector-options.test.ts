/**
 * Every startCollector option given the wrong shape fails at once, before a store is opened or a port bound, with
 * InvalidOptionError naming the option and the shape expected (issue 16: `tokens: { 'tok-a': 'tenant-a' }` threw
 * `TypeError: ingest is not iterable` from inside the token table). Messages never quote the value.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidOptionError } from '@llm-cost/clickhouse';
import { describe, expect, it } from 'vitest';

import { startCollector } from '../src/server/start-collector.js';
import type { CollectorOptions } from '../src/types.js';

const SECRET = 'tok-a-do-not-print-0123456789';

const CASES: Array<[string, Partial<Record<keyof CollectorOptions, unknown>>, string, RegExp]> = [
  ['tokens (the reported case)', { tokens: { [SECRET]: 'tenant-a' } }, 'tokens', /must be an array of \{ tenant, token \} objects, got an object$/],
  ['tokens[0]', { tokens: [`acme=${SECRET}`] }, 'tokens[0]', /must be a \{ tenant, token \} object, got a string$/],
  ['tokens[0].token', { tokens: [{ tenant: 'acme' }] }, 'tokens[0].token', /is required$/],
  ['tokens[0].tenant', { tokens: [{ tenant: 7, token: SECRET }] }, 'tokens[0].tenant', /must be a string, got a number$/],
  ['readTokens', { readTokens: SECRET }, 'readTokens', /must be an array of read tokens \(strings, or \{ tenant\?, token \} objects\), got a string$/],
  ['readTokens[0]', { readTokens: [42] }, 'readTokens[0]', /must be a string or a \{ tenant\?, token \} object, got a number$/],
  ['traceUrl', { traceUrl: new URL('http://localhost:16686/trace/') }, 'traceUrl', /must be a string, got an object$/],
  ['host', { host: ['0.0.0.0'] }, 'host', /must be a string, got an array$/],
  ['port', { port: '4318' }, 'port', /must be an integer from 0 to 65535, got a string$/],
  ['grpcPort', { grpcPort: 4317.5 }, 'grpcPort', /must be an integer from 0 to 65535, got a number$/],
  ['maxBodyBytes', { maxBodyBytes: '20MiB' }, 'maxBodyBytes', /must be a number, got a string$/],
  ['maxInFlightBytes', { maxInFlightBytes: null }, 'maxInFlightBytes', /must be a number, got null$/],
  ['retryAfterSeconds', { retryAfterSeconds: '2' }, 'retryAfterSeconds', /must be a number, got a string$/],
  ['decodeLimits', { decodeLimits: [256] }, 'decodeLimits', /must be an object \(\{ maxAttributes\?, maxAttributeValueBytes\?, maxValueDepth\? \}\), got an array$/],
  ['decodeLimits.maxAttributes', { decodeLimits: { maxAttributes: '256' } }, 'decodeLimits.maxAttributes', /must be a number, got a string$/],
  ['maxQueueSize', { maxQueueSize: '1e5' }, 'maxQueueSize', /must be a number, got a string$/],
  ['batchSize', { batchSize: {} }, 'batchSize', /must be a number, got an object$/],
  ['flushIntervalMs', { flushIntervalMs: '1s' }, 'flushIntervalMs', /must be a number, got a string$/],
  ['dedupHoldMs', { dedupHoldMs: true }, 'dedupHoldMs', /must be a number, got a boolean$/],
  ['retryMaxMs', { retryMaxMs: [] }, 'retryMaxMs', /must be a number, got an array$/],
  ['shutdownTimeoutMs', { shutdownTimeoutMs: '30s' }, 'shutdownTimeoutMs', /must be a number, got a string$/],
  ['migrate', { migrate: 'no' }, 'migrate', /must be a boolean, got a string$/],
  ['openrouter', { openrouter: 42 }, 'openrouter', /must be an @llm-cost\/openrouter configuration object or the path of its YAML \/ JSON file, got a number$/],
  ['bills', { bills: ['openai'] }, 'bills', /must be an @llm-cost\/bills configuration object or the path of its YAML \/ JSON file, got an array$/],
  ['logger', { logger: console.log }, 'logger', /must be a logger with debug, info, warn and error methods, got a function$/],
  ['client', { client: {} }, 'client', /must be a @clickhouse\/client client \(with query, insert, command\), got an object$/],
  ['url', { url: 8123 }, 'url', /must be a string, got a number$/],
  ['username', { username: {} }, 'username', /must be a string, got an object$/],
  ['password', { password: [SECRET] }, 'password', /must be a string, got an array$/],
  ['path', { path: 1 }, 'path', /must be a string, got a number$/],
  ['database', { database: null }, 'database', /must be a string, got null$/],
  ['cluster', { cluster: true }, 'cluster', /must be a string, got a boolean$/],
  ['requestTimeoutMs', { requestTimeoutMs: '30000' }, 'requestTimeoutMs', /must be a number, got a string$/],
  ['retentionDays', { retentionDays: '90' }, 'retentionDays', /must be a number, got a string$/],
  ['rollupRetentionDays', { rollupRetentionDays: [] }, 'rollupRetentionDays', /must be a number, got an array$/],
];

describe('startCollector options', () => {
  it.each(CASES)('refuses %s of the wrong shape before opening anything', async (_label, override, option, expected) => {
    const path = join(mkdtempSync(join(tmpdir(), 'llm-cost-collector-shapes-')), 'store');
    const error = await startCollector({ path, port: 0, ...override } as CollectorOptions).then(
      (running) => running.close().then(() => undefined),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidOptionError);
    const message = (error as Error).message;
    expect(message.startsWith(`startCollector: option "${option}" `), message).toBe(true);
    expect(message).toMatch(expected);
    expect(message).not.toContain(SECRET);
    // Nothing was opened: the embedded store directory was never created.
    expect(existsSync(path)).toBe(false);
  });

  it('covers every option CollectorOptions declares', async () => {
    const { COLLECTOR_OPTION_SHAPES } = await import('../src/config/option-shapes.js');
    const tested = new Set(CASES.map(([, override]) => Object.keys(override)[0]));
    expect([...Object.keys(COLLECTOR_OPTION_SHAPES)].sort()).toEqual([...tested].sort());
  });
});
