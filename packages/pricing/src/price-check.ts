/**
 * `checkPriceSnapshot`: compare the prices in use with newer data (a URL or file) and report drift per model.
 */
import { ENGINE_VERSION } from './bundled-data.js';
import { ENV_PRICES_FILE } from './default-pricer.js';
import { PriceDataError } from './errors.js';
import { type ModelDiff, diffPriceTables } from './price-diff.js';
import { readPriceSource } from './price-source.js';
import { type PriceTable, readPriceTable } from './price-table.js';
import { getBundledTable } from './pricer.js';
import { contentHash } from './price-version.js';

export interface CheckPriceSnapshotOptions {
  /** Newer price data: an `http(s)://` URL or a file path. */
  from: string;
  /**
   * The data in use to compare with: a URL or file path.
   * @default the file in `LLM_COST_PRICES_FILE` when set, else the data bundled with the engine
   */
  against?: string;
}

export interface PriceCheckResult {
  /** `true` when any model was added, removed or changed. */
  readonly drift: boolean;
  readonly changes: readonly ModelDiff[];
  /** Identifies each side (`genai-prices@0.1.8`, `snapshot:<hash>`). */
  readonly againstVersion: string;
  readonly fromVersion: string;
  /** Models compared on the `from` side. */
  readonly modelCount: number;
}

/** Load price data from a source and compile it, or throw `PriceDataError` listing its problems. */
export async function loadPriceTable(from: string): Promise<{ table: PriceTable; data: unknown; version: string }> {
  const data = await readPriceSource(from);
  const { table, problems } = readPriceTable(data);
  if (problems.length > 0) throw new PriceDataError(from, problems);
  return { table, data, version: `snapshot:${contentHash(data)}` };
}

/** The data in use: `against`, else `LLM_COST_PRICES_FILE`, else bundled. */
export async function loadCurrentTable(against: string | undefined): Promise<{ table: PriceTable; version: string }> {
  const source = against ?? process.env[ENV_PRICES_FILE]?.trim();
  if (source) return loadPriceTable(source);
  return { table: getBundledTable(), version: `genai-prices@${ENGINE_VERSION}` };
}

/**
 * Compare the data in use with newer data. Throws `PriceSourceError` when a side cannot be read and
 * `PriceDataError` when it is invalid.
 */
export async function checkPriceSnapshot(options: CheckPriceSnapshotOptions): Promise<PriceCheckResult> {
  const current = await loadCurrentTable(options.against);
  const next = await loadPriceTable(options.from);
  const changes = diffPriceTables(current.table, next.table);
  return {
    drift: changes.length > 0,
    changes,
    againstVersion: current.version,
    fromVersion: next.version,
    modelCount: next.table.providers.reduce((n, p) => n + p.models.length, 0),
  };
}
