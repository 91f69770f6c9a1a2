import { readFileSync } from 'node:fs';

import { parseDuration } from '@llm-cost/clickhouse';
import { parse } from 'yaml';

import { BillsConfigError } from '../errors.js';
import { checkModelMapping } from '../mapping/bill-lines.js';
import type { BillProvider, BillSyncTarget } from '../types.js';

/**
 * The bills section of llm-cost's configuration, from a YAML or JSON file (`--config`, env `LLM_COST_BILLS_CONFIG`,
 * the collector's `--bills-config`). Admin keys are named by the environment variable holding them (`adminKeyEnv`),
 * so the file holds no secret:
 *
 * ```yaml
 * bills:
 *   interval: 24h      # time between syncs (collector)
 *   lookback: 30d      # each sync reads this far back: providers revise recent days
 *   organizations:
 *     - { provider: openai, adminKeyEnv: OPENAI_ADMIN_KEY }
 *     - { provider: anthropic, adminKeyEnv: ANTHROPIC_ADMIN_KEY, account: research }
 * ```
 */
export interface BillsConfig {
  targets: BillSyncTarget[];
  intervalMs?: number;
  lookbackMs?: number;
}

type Json = Record<string, unknown>;

function mapping(value: unknown, where: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new BillsConfigError(`${where} must be a mapping`);
  return value as Json;
}

function only(value: Json, allowed: readonly string[], where: string): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) throw new BillsConfigError(`${where}.${name} is not a setting (${allowed.join(', ')})`);
  }
}

function duration(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new BillsConfigError(`${where} must be a duration like 24h or 30d`);
  try {
    return parseDuration(value, where);
  } catch (error) {
    throw new BillsConfigError((error as Error).message);
  }
}

function readTarget(entry: unknown, index: number, env: NodeJS.ProcessEnv): BillSyncTarget {
  const where = `organizations[${index}]`;
  const value = mapping(entry, where);
  only(value, ['provider', 'adminKeyEnv', 'adminKey', 'account', 'baseUrl', 'modelMapping'], where);
  if (value.provider !== 'openai' && value.provider !== 'anthropic') {
    throw new BillsConfigError(`${where}.provider must be openai or anthropic, got ${JSON.stringify(value.provider)}`);
  }
  const provider: BillProvider = value.provider;
  let adminKey: string | undefined;
  if (typeof value.adminKeyEnv === 'string') {
    adminKey = env[value.adminKeyEnv];
    if (!adminKey) throw new BillsConfigError(`${where}: environment variable ${value.adminKeyEnv} is not set`);
  } else if (typeof value.adminKey === 'string') {
    adminKey = value.adminKey;
  } else {
    const variable = provider === 'openai' ? 'OPENAI_ADMIN_KEY' : 'ANTHROPIC_ADMIN_KEY';
    adminKey = env[variable];
    if (!adminKey) throw new BillsConfigError(`${where} needs adminKeyEnv (the name of an environment variable holding the admin key), or ${variable} set`);
  }
  const target: BillSyncTarget = { provider, adminKey };
  if (value.account !== undefined) {
    if (typeof value.account !== 'string') throw new BillsConfigError(`${where}.account must be a string`);
    target.account = value.account;
  }
  if (value.baseUrl !== undefined) {
    if (typeof value.baseUrl !== 'string') throw new BillsConfigError(`${where}.baseUrl must be a URL`);
    target.baseUrl = value.baseUrl;
  }
  if (value.modelMapping !== undefined) target.modelMapping = { ...checkModelMapping(value.modelMapping, `${where}.modelMapping`) };
  return target;
}

/** Parses a config file's text (YAML or JSON). `file` names it in errors. */
export function parseBillsConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): BillsConfig {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new BillsConfigError(`${file} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  // The file may hold the whole llm-cost configuration with a `bills:` section, or only that section.
  const root = mapping(document, file);
  const config = 'bills' in root ? mapping(root.bills, `${file}: bills`) : root;
  only(config, ['interval', 'lookback', 'organizations'], file);
  if (!Array.isArray(config.organizations) || config.organizations.length === 0) {
    throw new BillsConfigError(`${file}: organizations must list at least one { provider, adminKeyEnv }`);
  }
  const targets = config.organizations.map((entry, index) => readTarget(entry, index, env));
  const seen = new Set<string>();
  for (const target of targets) {
    const identity = `${target.provider}/${target.account ?? ''}`;
    if (seen.has(identity)) {
      throw new BillsConfigError(`${file}: two ${target.provider} organizations${target.account ? ` named ${target.account}` : ' without an account'}: give each its own account name`);
    }
    seen.add(identity);
  }
  const result: BillsConfig = { targets };
  const intervalMs = duration(config.interval, 'interval');
  if (intervalMs !== undefined) result.intervalMs = intervalMs;
  const lookbackMs = duration(config.lookback, 'lookback');
  if (lookbackMs !== undefined) result.lookbackMs = lookbackMs;
  return result;
}

/** Reads and parses a config file. */
export function loadBillsConfig(file: string, env: NodeJS.ProcessEnv = process.env): BillsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BillsConfigError(`cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseBillsConfig(text, file, env);
}
