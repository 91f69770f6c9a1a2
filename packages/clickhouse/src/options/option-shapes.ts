import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import { InvalidOptionError } from '../errors.js';
import type { CostPipelineOptions } from '../pipeline/pipeline-options.js';
import type { RetentionOptions } from '../schema/migrate.js';

/**
 * Shape checks for the options of the public entry points, run first thing, so a wrong shape fails at once with the
 * option's name and the shape expected (`startCollector: option "tokens" must be an array of { tenant, token }
 * objects, got an object`) instead of failing later somewhere inside (`TypeError: ingest is not iterable`).
 *
 * A wrong *shape* (wrong type, an object where an array belongs) throws `InvalidOptionError`; an out-of-range *number*
 * of the right type is clamped with a warning where the option is resolved (house style). Messages name the type of
 * what was given, never its value: options carry tokens and passwords.
 */

/** Checks one value; returns what is wrong (`must be ..., got ...`) or undefined. `path` names it in the message. */
export type OptionShape = (value: unknown, path: string) => string | undefined;

/** A map of option name to shape; a name ending in `!` is required. */
export type OptionShapes = Readonly<Record<string, OptionShape>>;

/** `a string`, `an array`, `an object`, `null`, ...: the kind of a value, never the value. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const simple =
  (expected: string, test: (value: unknown) => boolean): OptionShape =>
  (value, path) =>
    test(value) ? undefined : `${path} must be ${expected}, got ${kindOf(value)}`;

export const shape = {
  string: simple('a string', (v) => typeof v === 'string'),
  boolean: simple('a boolean', (v) => typeof v === 'boolean'),
  function: simple('a function', (v) => typeof v === 'function'),
  /** A finite number of any value (ranges are clamped with a warning where the option is resolved). */
  number: simple('a number', (v) => typeof v === 'number' && Number.isFinite(v)),
  integer: (min: number, max: number): OptionShape =>
    simple(`an integer from ${min} to ${max}`, (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max),
  /** An object with these methods (a client, a pricer, a logger: duck-typed, as the OpenTelemetry SDK is). */
  withMethods: (expected: string, ...methods: string[]): OptionShape =>
    simple(expected, (v) => isRecord(v) && methods.every((m) => typeof v[m] === 'function')),
  /** One value of a fixed set. */
  oneOf: (...values: readonly unknown[]): OptionShape =>
    simple(values.map((v) => JSON.stringify(v)).join(' or '), (v) => values.includes(v)),
  /** Any of several shapes (the message lists them). */
  anyOf:
    (expected: string, ...shapes: OptionShape[]): OptionShape =>
    (value, path) =>
      shapes.some((s) => s(value, path) === undefined) ? undefined : `${path} must be ${expected}, got ${kindOf(value)}`,
  /** An array whose every element has `element`'s shape. */
  arrayOf:
    (expected: string, element: OptionShape): OptionShape =>
    (value, path) => {
      if (!Array.isArray(value)) return `${path} must be ${expected}, got ${kindOf(value)}`;
      for (let i = 0; i < value.length; i++) {
        const problem = element(value[i], `${path}[${i}]`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
  /** A plain object whose listed fields have these shapes (other fields are left alone). */
  object:
    (expected: string, fields: OptionShapes = {}): OptionShape =>
    (value, path) => {
      if (!isRecord(value)) return `${path} must be ${expected}, got ${kindOf(value)}`;
      return firstProblem(value, fields, path);
    },
};

function firstProblem(options: Record<string, unknown>, shapes: OptionShapes, prefix: string): string | undefined {
  for (const [key, check] of Object.entries(shapes)) {
    const required = key.endsWith('!');
    const name = required ? key.slice(0, -1) : key;
    const value = options[name];
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (value === undefined) {
      if (required) return `${path} is required`;
      continue;
    }
    const problem = check(value, path);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Throws `InvalidOptionError` (`<where>: option <problem>`) when `options` is not an object or one of its options has
 * the wrong shape. `undefined` options pass (every entry point has defaults).
 */
export function checkOptionShapes(where: string, options: unknown, shapes: OptionShapes): void {
  if (options === undefined) return;
  if (!isRecord(options)) throw new InvalidOptionError(`${where}: options must be an object, got ${kindOf(options)}`);
  const problem = firstProblem(options, shapes, '');
  if (problem !== undefined) throw new InvalidOptionError(`${where}: option ${quoteName(problem)}`);
}

/** `tokens[0].token must be ...` → `"tokens[0].token" must be ...` */
function quoteName(problem: string): string {
  const space = problem.indexOf(' ');
  return `"${problem.slice(0, space)}"${problem.slice(space)}`;
}

/** Shapes of `ClickHouseConnectionOptions` and `RetentionOptions`, shared by every entry point that opens a store. */
export const CONNECTION_OPTION_SHAPES: { readonly [K in keyof Required<ClickHouseConnectionOptions & RetentionOptions>]: OptionShape } = {
  client: shape.withMethods('a @clickhouse/client client (with query, insert, command)', 'query', 'insert', 'command'),
  url: shape.string,
  username: shape.string,
  password: shape.string,
  path: shape.string,
  database: shape.string,
  cluster: shape.string,
  requestTimeoutMs: shape.number,
  retentionDays: shape.number,
  rollupRetentionDays: shape.number,
};

/** A pricer from `@llm-cost/pricing`'s `createPricer()`. */
export const PRICER_SHAPE = shape.withMethods("a pricer from @llm-cost/pricing's createPricer()", 'priceUsage');

/** Shapes of the pipeline options (`CostPipeline`, `ClickHouseCostExporter`). */
// Typed by the options interfaces: an option added there without a shape here does not compile.
export const PIPELINE_OPTION_SHAPES: { readonly [K in keyof Required<CostPipelineOptions>]: OptionShape } = {
  ...CONNECTION_OPTION_SHAPES,
  pricer: PRICER_SHAPE,
  autoMigrate: shape.boolean,
  maxQueueSize: shape.number,
  maxBatchSize: shape.number,
  flushIntervalMs: shape.number,
  dedupHoldMs: shape.number,
  dedupSettleMs: shape.number,
  maxHeldSpans: shape.number,
  dedupMemorySize: shape.number,
  retryBaseMs: shape.number,
  retryMaxMs: shape.number,
  shutdownTimeoutMs: shape.number,
};
