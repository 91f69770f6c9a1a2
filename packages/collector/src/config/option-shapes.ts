import { CONNECTION_OPTION_SHAPES, optionShape as shape, type OptionShape } from '@llm-cost/clickhouse';

import type { CollectorOptions } from '../types.js';

/**
 * The shape of every `startCollector` option, checked before anything starts (see `checkOptionShapes` of
 * `@llm-cost/clickhouse`): `tokens: { 'tok-a': 'tenant-a' }` fails with `option "tokens" must be an array of
 * { tenant, token } objects, got an object` rather than deep inside the token table.
 */
// Typed by the options interface: an option added there without a shape here does not compile.
export const COLLECTOR_OPTION_SHAPES: { readonly [K in keyof Required<CollectorOptions>]: OptionShape } = {
  ...CONNECTION_OPTION_SHAPES,
  host: shape.string,
  port: shape.integer(0, 65_535),
  grpcPort: shape.integer(0, 65_535),
  tokens: shape.arrayOf(
    'an array of { tenant, token } objects',
    shape.object('a { tenant, token } object', { 'tenant!': shape.string, 'token!': shape.string }),
  ),
  readTokens: shape.arrayOf(
    'an array of read tokens (strings, or { tenant?, token } objects)',
    shape.anyOf('a string or a { tenant?, token } object', shape.string, shape.object('', { 'token!': shape.string, tenant: shape.string })),
  ),
  traceUrl: shape.string,
  maxBodyBytes: shape.number,
  maxInFlightBytes: shape.number,
  retryAfterSeconds: shape.number,
  decodeLimits: shape.object('an object ({ maxAttributes?, maxAttributeValueBytes?, maxValueDepth? })', {
    maxAttributes: shape.number,
    maxAttributeValueBytes: shape.number,
    maxValueDepth: shape.number,
  }),
  maxQueueSize: shape.number,
  batchSize: shape.number,
  flushIntervalMs: shape.number,
  dedupHoldMs: shape.number,
  retryMaxMs: shape.number,
  shutdownTimeoutMs: shape.number,
  migrate: shape.boolean,
  openrouter: shape.anyOf(
    'an @llm-cost/openrouter configuration object or the path of its YAML / JSON file',
    shape.string,
    shape.object(''),
  ),
  bills: shape.anyOf('an @llm-cost/bills configuration object or the path of its YAML / JSON file', shape.string, shape.object('')),
  logger: shape.withMethods('a logger with debug, info, warn and error methods', 'debug', 'info', 'warn', 'error'),
};
